"""share click counts

Revision ID: 0003_shares
Revises: 0002_spam
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0003_shares"
down_revision = "0002_spam"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
