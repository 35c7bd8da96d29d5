"""priority becomes a string

Revision ID: g5
Revises: g4
"""
import sqlalchemy as sa
from alembic import op

revision = "g5"
down_revision = "g4"


def upgrade():
    op.alter_column("tickets", "priority", type_=sa.String(20))
    op.execute("DROP TYPE IF EXISTS ticketpriority")  # HIT


def downgrade():
    op.alter_column(
        "tickets",
        "priority",
        type_=sa.Enum("low", "high", name="ticketpriority"),
        postgresql_using="priority::ticketpriority",
    )
