"""moderator accounts and dashboard

Revision ID: 0004_dashboard
Revises: 0003_shares
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_dashboard"
down_revision = "0003_shares"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "trusted_authors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["added_by"], ["moderators.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("site_id", "email"),
    )
    with op.batch_alter_table("trusted_authors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trusted_authors_site_id"), ["site_id"], unique=False)
    # The rules dry run reads a site's newest comments (see service/moderation/trusted.py).
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index("ix_comments_site_id_id", ["site_id", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_site_id_id")
    with op.batch_alter_table("trusted_authors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trusted_authors_site_id"))
    op.drop_table("trusted_authors")
