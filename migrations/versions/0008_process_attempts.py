"""comments.process_attempts: a comment that keeps failing is held, not re-sent for ever

Revision ID: 0008_process_attempts
Revises: 0007_parked_tasks
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_process_attempts"
down_revision = "0007_parked_tasks"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("process_attempts", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_column("process_attempts")
