"""notifications and webhooks

Revision ID: 0005_notifications
Revises: 0004_dashboard
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0005_notifications"
down_revision = "0004_dashboard"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
