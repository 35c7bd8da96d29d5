"""rev"""
import sqlalchemy as sa
from alembic import op

revision = "c1"
down_revision = None


def upgrade():
    op.create_index("ix_orders_user_id", "orders", ["user_id"])  # HIT
    op.create_index(op.f("ix_users_email"), "users", ["email"], unique=True)  # HIT
    op.create_index("ix_t", table_name="things", columns=["a"])  # HIT


def downgrade():
    op.drop_index("ix_orders_user_id")
