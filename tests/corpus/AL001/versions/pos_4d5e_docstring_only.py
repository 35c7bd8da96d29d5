"""rename column

Revision ID: 4d5e
Revises: 3c4d
"""

from alembic import op

revision = "4d5e"
down_revision = "3c4d"


def upgrade() -> None:
    op.alter_column("reviews", "body", new_column_name="text")


def downgrade() -> None:  # HIT
    """Not needed."""
    ...
