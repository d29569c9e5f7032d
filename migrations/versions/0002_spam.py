"""spam model versions and site rules

Revision ID: 0002_spam
Revises: 0001_pipeline
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0002_spam"
down_revision = "0001_pipeline"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
