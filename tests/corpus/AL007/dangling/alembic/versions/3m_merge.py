"""3m_merge.py

Revision ID: 3m00
Revises:
Create Date: 2024-03-03 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "3m00"
down_revision = ("3a00", "5gone")  # HIT
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("t_3m00", sa.Column("c", sa.Integer()))


def downgrade():
    op.drop_column("t_3m00", "c")
