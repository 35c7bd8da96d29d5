"""prune old rows, then add a required column

Revision ID: b4
Revises: b3
"""
import sqlalchemy as sa
from alembic import op

revision = "b4"
down_revision = "b3"


def upgrade():
    op.execute("DELETE FROM sessions WHERE expired")
    op.add_column("sessions", sa.Column("device", sa.String(), nullable=False))  # HIT


def downgrade():
    op.drop_column("sessions", "device")
