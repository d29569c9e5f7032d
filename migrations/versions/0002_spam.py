"""spam model versions and site rules

Revision ID: 0002_spam
Revises: 0001_pipeline

Spam model versions live as files under SPAM_MODEL_DIR (site-<slug>/v<N>.joblib plus a
`current` pointer), so the only table is the site-defined block/allow rules.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_spam"
down_revision = "0001_pipeline"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "site_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("pattern", sa.String(length=300), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("whole_word", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["moderators.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("site_rules", schema=None) as batch_op:
        batch_op.create_index("ix_site_rules_site_kind", ["site_id", "kind"], unique=False)


def downgrade():
    with op.batch_alter_table("site_rules", schema=None) as batch_op:
        batch_op.drop_index("ix_site_rules_site_kind")
    op.drop_table("site_rules")
