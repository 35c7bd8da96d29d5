"""2m_merge.py

Revision ID: 2m00
Revises:
Create Date: 2024-02-04 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "2m00"
down_revision = ("2b00", "2c00")
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("t_2m00", sa.Column("c", sa.Integer()))


def downgrade():
    op.drop_column("t_2m00", "c")
