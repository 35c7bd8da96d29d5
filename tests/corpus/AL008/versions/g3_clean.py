"""enums created and dropped in pairs

Revision ID: g3
Revises: g2
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "g3"
down_revision = "g2"

status = postgresql.ENUM("new", "paid", name="invoice_status")


def upgrade():
    status.create(op.get_bind(), checkfirst=True)
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("status", postgresql.ENUM(name="invoice_status", create_type=False)),
        sa.Column("kind", sa.Enum("a", "b", name="invoice_kind")),
        sa.Column("flag", sa.Enum("x", "y", name="invoice_flag", native_enum=False)),
    )
    op.execute("CREATE TYPE currency AS ENUM ('EUR', 'USD')")
    op.add_column("users", sa.Column("tier", sa.Enum("free", "pro", name="user_tier")))


def downgrade():
    op.drop_column("users", "tier")
    sa.Enum(name="user_tier").drop(op.get_bind())
    op.drop_table("invoices")
    status.drop(op.get_bind(), checkfirst=True)
    sa.Enum(name="invoice_kind").drop(op.get_bind())
    op.execute("DROP TYPE IF EXISTS currency")
