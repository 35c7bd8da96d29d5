"""2c_teams.py

Revision ID: 2c00
Revises:
Create Date: 2024-02-03 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "2c00"
down_revision = "2a00"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("t_2c00", sa.Column("c", sa.Integer()))


def downgrade():
    op.drop_column("t_2c00", "c")
