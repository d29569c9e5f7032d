"""parked_tasks: follow-up tasks the broker refused, re-sent by the sweep

Revision ID: 0007_parked_tasks
Revises: 0006_edited
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_parked_tasks"
down_revision = "0006_edited"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "parked_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_name", sa.String(length=100), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("parked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    op.drop_table("parked_tasks")
