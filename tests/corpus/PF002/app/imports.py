import csv

import sqlalchemy as sa
from sqlalchemy import insert, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from app.models import Product, Tag, products_table


def import_products(session: Session, handle) -> None:
    for row in csv.DictReader(handle):
        session.execute(insert(Product).values(**row))  # HIT
    session.commit()


def upsert_tags(session: Session, names: list[str]) -> None:
    for name in names:
        session.execute(pg_insert(Tag).values(name=name).on_conflict_do_nothing())  # HIT
    session.commit()


def copy_rows(conn, rows) -> None:
    for row in rows:
        conn.execute(products_table.insert(), row)  # HIT
        conn.execute(text("INSERT INTO audit (product_id) VALUES (:id)"), {"id": row["id"]})  # HIT


async def create_all(db, items) -> list[Product]:
    created = []
    for item in items:
        product = Product(**item)
        db.add(product)  # HIT
        await db.flush()
        created.append(product.id)
    return created


def legacy(engine, rows) -> None:
    with engine.begin() as conn:
        for row in rows:
            conn.execute(sa.insert(Product).values(row))  # HIT
