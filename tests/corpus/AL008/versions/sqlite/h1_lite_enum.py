"""A SQLite-only chain (versions/sqlite/): SQLite has no enum types to drop, so an enum
column without a DROP TYPE in the downgrade is fine (issue 11).

Revision ID: h1
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "h1"
down_revision = None


def upgrade():
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("state", sa.Enum("open", "closed", name="ticket_state")),
    )


def downgrade():
    op.drop_table("tickets")
