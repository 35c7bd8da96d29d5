"""split the lifecycle state into a new type

Revision ID: g3
Revises: g2
"""
from alembic import op
from sqlalchemy import text

revision = "g3"
down_revision = "g2"

_LIFECYCLE_ENUM = "endpointlifecycle"


def upgrade():
    conn = op.get_bind()
    conn.execute(text("ALTER TABLE endpoints ALTER COLUMN lifecycle TYPE text"))
    conn.execute(text(f"DROP TYPE IF EXISTS {_LIFECYCLE_ENUM};"))


def downgrade():
    conn = op.get_bind()
    conn.execute(text("ALTER TABLE endpoints ALTER COLUMN lifecycle TYPE varchar"))
