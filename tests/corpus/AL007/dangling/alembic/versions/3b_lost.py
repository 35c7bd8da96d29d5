"""3b_lost.py

Revision ID: 3b00
Revises:
Create Date: 2024-03-02 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "3b00"
down_revision = "3zz9"  # HIT
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("t_3b00", sa.Column("c", sa.Integer()))


def downgrade():
    op.drop_column("t_3b00", "c")
