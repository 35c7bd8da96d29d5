"""move ratings into user_ratings; derive checker type

Revision ID: a3
Revises: a2
"""

import sqlalchemy as sa
from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade():
    op.execute(
        "INSERT INTO user_ratings (user_id, recipe_id, rating) "
        "SELECT user_id, recipe_id, rating FROM users_to_ratings"
    )
    op.drop_table("users_to_ratings")
    op.drop_column("idle_checkers", "checker_type")
    op.add_column(
        "idle_checkers",
        sa.Column("checker_type", sa.String(64), sa.Computed("spec ->> 'type'"), nullable=False),
    )
    # legacy flag unused since 2.3; its value lives in settings now
    op.drop_column("users", "legacy_flag")


def downgrade():
    op.add_column("users", sa.Column("legacy_flag", sa.Boolean()))
