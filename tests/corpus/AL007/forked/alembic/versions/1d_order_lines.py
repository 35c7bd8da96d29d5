"""1d_order_lines.py

Revision ID: 1d00
Revises:
Create Date: 2024-01-06 09:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = "1d00"
down_revision = "1b00"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("t_1d00", sa.Column("c", sa.Integer()))


def downgrade():
    op.drop_column("t_1d00", "c")
