"""4b_billing.py

Revision ID: 4b00
Revises:
Create Date: 2024-04-02 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "4b00"
down_revision = "4a00"
branch_labels = ("billing",)
depends_on = None


def upgrade():
    op.add_column("t_4b00", sa.Column("c", sa.Integer()))


def downgrade():
    op.drop_column("t_4b00", "c")
