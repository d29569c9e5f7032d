"""comments.edited_at: when the words last changed after posting

Revision ID: 0006_edited
Revises: 0005_notifications
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_edited"
down_revision = "0005_notifications"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_column("edited_at")
