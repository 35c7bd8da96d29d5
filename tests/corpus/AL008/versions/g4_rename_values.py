"""add a value by rewriting the type; drop and re-create a type

Revision ID: g4
Revises: g3
"""
import sqlalchemy as sa
from alembic import op

revision = "g4"
down_revision = "g3"


def upgrade():
    op.execute("ALTER TYPE order_state RENAME TO order_state_old")
    op.execute("CREATE TYPE order_state AS ENUM ('new', 'paid', 'refunded')")
    op.execute("ALTER TABLE orders ALTER COLUMN state TYPE order_state USING state::text::order_state")
    op.execute("DROP TYPE order_state_old")


def downgrade():
    op.execute("ALTER TYPE order_state RENAME TO order_state_old")
    op.execute("CREATE TYPE order_state AS ENUM ('new', 'paid')")
    op.execute("DROP TYPE order_state_old")
