"""1b_orders.py

Revision ID: 1b00
Revises:
Create Date: 2024-01-02 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = "1b00"
down_revision = "1a00"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("t_1b00", sa.Column("c", sa.Integer()))


def downgrade():
    op.drop_column("t_1b00", "c")
