"""backfill slugs

Revision ID: f4
Revises: f3
"""
import sqlalchemy as sa
from alembic import op

revision = "f4"
down_revision = "f3"


def upgrade():
    op.execute("UPDATE articles SET slug = lower(title) WHERE slug IS NULL")
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE articles SET published = true WHERE published_at IS NOT NULL"))


def downgrade():
    op.execute("UPDATE articles SET slug = NULL")
