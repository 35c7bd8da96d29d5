"""rev"""
import sqlalchemy as sa
from alembic import op

revision = "d2"
down_revision = None


def upgrade():
    op.create_foreign_key("fk", "orders", "users", ["user_id"], ["id"], ondelete="CASCADE")
    op.create_table("i", sa.Column("o_id", sa.Integer(), sa.ForeignKey("o.id", ondelete="SET NULL")))


def downgrade():
    op.create_foreign_key("fk_old", "orders", "users", ["user_id"], ["id"])
