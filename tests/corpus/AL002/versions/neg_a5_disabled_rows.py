"""preferences exist only when enabled

Revision ID: a5
Revises: a4
"""

import sqlalchemy as sa
from alembic import op

revision = "a5"
down_revision = "a4"


def upgrade():
    op.execute("DELETE FROM user_skill_preference WHERE NOT enabled")
    op.drop_column("user_skill_preference", "enabled")


def downgrade():
    op.add_column(
        "user_skill_preference",
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
