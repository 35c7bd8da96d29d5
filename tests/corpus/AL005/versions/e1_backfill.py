"""backfill lower-case emails

Revision ID: e1
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "e1"
down_revision = None


def upgrade():
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, email FROM users")).fetchall()
    for user_id, email in rows:
        conn.execute(  # HIT
            sa.text("UPDATE users SET email_lower = :e WHERE id = :id"),
            {"e": email.lower(), "id": user_id},
        )
    for row in op.get_bind().execute(sa.text("SELECT id FROM orders")):
        op.execute(f"UPDATE orders SET legacy = false WHERE id = {row.id}")  # HIT


def downgrade():
    bind = op.get_bind()
    accounts = sa.table("accounts", sa.column("id"), sa.column("plan"))
    for account in bind.execute(sa.select(accounts.c.id)).all():
        bind.execute(accounts.update().where(accounts.c.id == account.id).values(plan="free"))  # HIT
        bind.execute(sa.text("SELECT 1"))
