"""2b_users.py

Revision ID: 2b00
Revises:
Create Date: 2024-02-02 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "2b00"
down_revision = "2a00"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("t_2b00", sa.Column("c", sa.Integer()))


def downgrade():
    op.drop_column("t_2b00", "c")
