"""2n_after.py

Revision ID: 2n00
Revises:
Create Date: 2024-02-05 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "2n00"
down_revision = '2m00'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("t_2n00", sa.Column("c", sa.Integer()))


def downgrade():
    op.drop_column("t_2n00", "c")
