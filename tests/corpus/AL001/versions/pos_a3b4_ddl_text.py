"""status enum value

Revision ID: a3b4
Revises: 92a3
"""

from alembic import op

revision = "a3b4"
down_revision = "92a3"


def upgrade() -> None:
    op.execute("ALTER TABLE jobs ADD COLUMN priority integer")


def downgrade() -> None:  # HIT
    pass
