"""6b_first.py

Revision ID: 6b00
Revises:
Create Date: 2024-06-02 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "6b00"
down_revision = "6a00"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("t_6b00", sa.Column("c", sa.Integer()))


def downgrade():
    op.drop_column("t_6b00", "c")
