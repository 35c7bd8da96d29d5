"""6e_follow.py

Revision ID: 6e00
Revises:
Create Date: 2024-06-05 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "6e00"
down_revision = "6b00"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("t_6e00", sa.Column("c", sa.Integer()))


def downgrade():
    op.drop_column("t_6e00", "c")
