"""share click counts

Revision ID: 0003_shares
Revises: 0002_spam
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_shares"
down_revision = "0002_spam"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "share_clicks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "thread_id", "network", "day", name="uq_share_clicks_thread_network_day"
        ),
    )
    with op.batch_alter_table("share_clicks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_share_clicks_site_id"), ["site_id"], unique=False)


def downgrade():
    with op.batch_alter_table("share_clicks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_share_clicks_site_id"))
    op.drop_table("share_clicks")
