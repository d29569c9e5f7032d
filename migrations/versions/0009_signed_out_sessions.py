"""signed_out_sessions: dashboard sessions ended by signing out

Revision ID: 0009_signed_out_sessions
Revises: 0008_process_attempts
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_signed_out_sessions"
down_revision = "0008_process_attempts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "signed_out_sessions",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_id"),
    )
    with op.batch_alter_table("signed_out_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signed_out_sessions_expires_at"), ["expires_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("signed_out_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signed_out_sessions_expires_at"))
    op.drop_table("signed_out_sessions")
