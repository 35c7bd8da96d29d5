"""4a_base.py

Revision ID: 4a00
Revises:
Create Date: 2024-04-01 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "4a00"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("t_4a00", sa.Column("c", sa.Integer()))


def downgrade():
    op.drop_column("t_4a00", "c")
