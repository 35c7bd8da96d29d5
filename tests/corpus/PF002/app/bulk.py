from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.models import Product, Role


def import_products(session: Session, rows: list[dict]) -> None:
    session.execute(insert(Product), rows)
    session.commit()


def add_products(session: Session, rows: list[dict]) -> None:
    # add() per row with one flush afterwards: the unit of work batches the INSERTs
    for row in rows:
        session.add(Product(**row))
    session.flush()
    session.commit()


def per_row_commit(session: Session, rows: list[dict]) -> None:
    # the commit inside the loop is SA009's finding, not this rule's
    for row in rows:
        session.add(Product(**row))
        session.flush()
        session.commit()


def seed_roles(session: Session) -> None:
    for name in ("admin", "member", "viewer"):
        session.execute(insert(Role).values(name=name))


def batches(session: Session, chunks: list[list[dict]]) -> None:
    for chunk in chunks:
        session.execute(insert(Product), [dict(r) for r in chunk])


def touch(session: Session, ids: list[int]) -> None:
    for product_id in ids:
        session.execute(update(Product).where(Product.id == product_id).values(seen=True))
        session.execute(select(Product).where(Product.id == product_id))


def collect(items) -> list:
    out = []
    seen = set()
    for item in items:
        seen.add(item)
        out.insert(0, item)
    return out


async def backfill(session, rows: list[dict], size: int) -> None:
    for i in range(0, len(rows), size):
        chunk = rows[i : i + size]
        await session.execute(insert(Product).values(chunk).on_conflict_do_nothing())


async def backfill_types(session, pairs_by_org: dict) -> None:
    for org_id, pairs in pairs_by_org.items():
        values = [{"name": name, "organization_id": org_id} for name in pairs]
        await session.execute(insert(Product).values(values).on_conflict_do_nothing())
