"""lines"""
import sqlalchemy as sa
from alembic import op

revision = "b1"
down_revision = None


def upgrade():
    op.create_table("lines", sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id")))


def downgrade():
    op.drop_table("lines")
