"""set-based and batched data migrations

Revision ID: e2
Revises: e1
"""
import sqlalchemy as sa
from alembic import op

revision = "e2"
down_revision = "e1"

TABLES = ("orders", "invoices")


def upgrade():
    op.execute("UPDATE users SET email_lower = lower(email)")
    conn = op.get_bind()
    # the same statement for a fixed list of tables, not per row
    for table in ["orders", "invoices", "refunds"]:
        op.execute(f"UPDATE {table} SET currency = 'EUR' WHERE currency IS NULL")
    # batches of ids
    for start in range(0, 100_000, 5_000):
        conn.execute(
            sa.text("UPDATE events SET kind = 'x' WHERE id >= :a AND id < :b"),
            {"a": start, "b": start + 5_000},
        )
    for batch in chunked(conn.execute(sa.text("SELECT id FROM logs")).scalars(), 1000):
        conn.execute(sa.text("DELETE FROM logs WHERE id = ANY(:ids)"), {"ids": list(batch)})
    while True:
        result = conn.execute(sa.text("DELETE FROM audit WHERE id IN (SELECT id FROM audit LIMIT 500)"))
        if result.rowcount == 0:
            break
    rows = [{"id": r.id, "v": r.v * 2} for r in conn.execute(sa.text("SELECT id, v FROM t"))]
    conn.execute(sa.text("UPDATE t SET v = :v WHERE id = :id"), rows)
    for name in ("ix_a", "ix_b"):
        op.create_index(name, "t", ["v"])


def chunked(items, size):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []


def downgrade():
    pass
