"""The PostgreSQL branch of a guarded revision still locks the table."""
from alembic import op

revision = "guard2"
down_revision = "guard1"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_orders_user", "orders", ["user_id"])  # HIT
    else:
        op.create_index("ix_orders_user", "orders", ["user_id"])


def downgrade():
    op.drop_index("ix_orders_user", "orders")
