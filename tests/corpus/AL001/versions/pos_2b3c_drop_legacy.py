"""drop legacy tables

Revision ID: 2b3c
Revises: 1a2b
"""

from alembic import op

revision = "2b3c"
down_revision = "1a2b"


def upgrade() -> None:
    op.drop_table("legacy_ratings")


def downgrade() -> None:  # HIT
    raise NotImplementedError("the old ratings are gone")
