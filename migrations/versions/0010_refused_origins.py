"""refused_origins: origins refused for a site lately, for the Sites page

Numbered 0010 as issue 13 asked; chained after main's head (0013_flood_indexes) so there is one head.

Revision ID: 0010_refused_origins
Revises: 0013_flood_indexes
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_refused_origins"
down_revision = "0013_flood_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "refused_origins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("site_id", "origin"),
    )
    with op.batch_alter_table("refused_origins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refused_origins_site_id"), ["site_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_refused_origins_last_seen_at"), ["last_seen_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("refused_origins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refused_origins_last_seen_at"))
        batch_op.drop_index(batch_op.f("ix_refused_origins_site_id"))
    op.drop_table("refused_origins")
