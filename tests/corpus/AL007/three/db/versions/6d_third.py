"""6d_third.py

Revision ID: 6d00
Revises:
Create Date: 2024-06-04 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "6d00"
down_revision = "6a00"  # HIT
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("t_6d00", sa.Column("c", sa.Integer()))


def downgrade():
    op.drop_column("t_6d00", "c")
