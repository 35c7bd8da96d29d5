"""rev"""
import sqlalchemy as sa
from alembic import op

revision = "d1"
down_revision = None


def upgrade():
    op.create_foreign_key("fk_o_u", "orders", "users", ["user_id"], ["id"])  # HIT
    op.create_table(
        "items",
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id")),  # HIT
    )
    op.add_column("x", sa.Column("y_id", sa.Integer(), sa.ForeignKey("y.id")))  # HIT


def downgrade():
    op.drop_constraint("fk_o_u", "orders")
