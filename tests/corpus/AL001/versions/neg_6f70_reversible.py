"""add rating

Revision ID: 6f70
Revises: 5e6f
"""

import sqlalchemy as sa
from alembic import op

revision = "6f70"
down_revision = "5e6f"


def upgrade() -> None:
    op.add_column("reviews", sa.Column("rating", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    """Remove the rating again."""
    op.drop_column("reviews", "rating")
