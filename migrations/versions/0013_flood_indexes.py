"""comments: indexes for the pipeline's flood counts (site, network or e-mail, time)

The worker counts, per comment, the site's comments of the last minute from the same
address and the same e-mail; without these each count read every comment of the site.

Revision ID: 0013_flood_indexes
Revises: 0014_porting_privacy
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_flood_indexes"
down_revision = "0014_porting_privacy"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_comments_site_ip_created", "comments", ["site_id", "ip", "created_at"])
    op.create_index(
        "ix_comments_site_email_created",
        "comments",
        ["site_id", sa.text("lower(email)"), "created_at"],
    )


def downgrade():
    op.drop_index("ix_comments_site_email_created", table_name="comments")
    op.drop_index("ix_comments_site_ip_created", table_name="comments")
