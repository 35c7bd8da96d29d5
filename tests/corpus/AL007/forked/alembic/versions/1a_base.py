"""1a_base.py

Revision ID: 1a00
Revises:
Create Date: 2024-01-01 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = "1a00"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("t_1a00", sa.Column("c", sa.Integer()))


def downgrade():
    op.drop_column("t_1a00", "c")
