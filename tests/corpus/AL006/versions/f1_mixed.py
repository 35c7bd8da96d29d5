"""add total_cents and backfill it

Revision ID: f1
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "f1"
down_revision = None

orders = sa.table("orders", sa.column("total"), sa.column("total_cents"))


def upgrade():
    op.add_column("orders", sa.Column("total_cents", sa.BigInteger()))
    op.execute(orders.update().values(total_cents=orders.c.total * 100))  # HIT
    op.alter_column("orders", "total_cents", nullable=False)


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("plan")
    op.get_bind().execute(sa.text("DELETE FROM plans WHERE legacy"))  # HIT
