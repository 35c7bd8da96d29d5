"""A chain that runs on PostgreSQL and SQLite: the plain index sits in the SQLite branch,
the PostgreSQL branch builds it concurrently (issue 11: dialect guards)."""
from alembic import op

revision = "guard1"
down_revision = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.create_index("ix_orders_created", "orders", ["created_at"])
    else:
        with op.get_context().autocommit_block():
            op.create_index(
                "ix_orders_created", "orders", ["created_at"], postgresql_concurrently=True
            )
    if op.get_bind().dialect.name != "postgresql":
        op.create_index("ix_orders_state", "orders", ["state"])
    if bind.dialect.name in ("mysql", "sqlite"):
        op.create_index("ix_orders_total", "orders", ["total"])


def downgrade():
    op.drop_index("ix_orders_created", "orders")
