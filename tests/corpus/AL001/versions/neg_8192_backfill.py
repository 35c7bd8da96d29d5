"""backfill display names

Revision ID: 8192
Revises: 7081
"""

import sqlalchemy as sa
from alembic import op

revision = "8192"
down_revision = "7081"


def upgrade() -> None:
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE users SET display_name = name WHERE display_name IS NULL"))


def downgrade() -> None:
    pass
