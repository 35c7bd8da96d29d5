"""1c_invoices.py

Revision ID: 1c00
Revises:
Create Date: 2024-01-05 09:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = "1c00"
down_revision = "1a00"  # HIT
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("t_1c00", sa.Column("c", sa.Integer()))


def downgrade():
    op.drop_column("t_1c00", "c")
