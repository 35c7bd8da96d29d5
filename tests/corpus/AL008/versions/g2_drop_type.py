"""retire the mood type

Revision ID: g2
Revises: g1
"""
import sqlalchemy as sa
from alembic import op

revision = "g2"
down_revision = "g1"


def upgrade():
    op.drop_column("users", "mood")
    op.execute("DROP TYPE mood")  # HIT


def downgrade():
    op.add_column("users", sa.Column("mood", sa.String(20)))
