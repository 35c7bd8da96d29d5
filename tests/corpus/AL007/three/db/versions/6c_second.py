"""6c_second.py

Revision ID: 6c00
Revises:
Create Date: 2024-06-03 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "6c00"
down_revision = "6a00"  # HIT
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("t_6c00", sa.Column("c", sa.Integer()))


def downgrade():
    op.drop_column("t_6c00", "c")
