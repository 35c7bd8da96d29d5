"""rev"""
import sqlalchemy as sa
from alembic import op

revision = "c2"
down_revision = None


def upgrade():
    op.create_table("events", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_index("ix_events_id", "events", ["id"])
    with op.get_context().autocommit_block():
        op.create_index("ix_o", "orders", ["x"], postgresql_concurrently=True)


def downgrade():
    op.create_index("ix_orders_user_id", "orders", ["user_id"])
