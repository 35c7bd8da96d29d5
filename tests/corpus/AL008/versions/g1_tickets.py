"""tickets with a state enum

Revision ID: g1
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "g1"
down_revision = None

priority = postgresql.ENUM("low", "high", name="ticket_priority")


def upgrade():
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("state", sa.Enum("open", "closed", name="ticket_state")),  # HIT
    )
    priority.create(op.get_bind())  # HIT
    op.add_column("tickets", sa.Column("priority", priority))
    op.execute("CREATE TYPE ticket_source AS ENUM ('web', 'mail')")  # HIT


def downgrade():
    op.drop_column("tickets", "priority")
    op.drop_table("tickets")
