"""4c_search.py

Revision ID: 4c00
Revises:
Create Date: 2024-04-03 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "4c00"
down_revision = "4a00"
branch_labels = ("search",)
depends_on = None


def upgrade():
    op.add_column("t_4c00", sa.Column("c", sa.Integer()))


def downgrade():
    op.drop_column("t_4c00", "c")
