"""moderator accounts and dashboard

Revision ID: 0004_dashboard
Revises: 0003_shares
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0004_dashboard"
down_revision = "0003_shares"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
