from sqlalchemy import insert

from app.models import Product


def test_many(session):
    for i in range(100):
        session.execute(insert(Product).values(id=i))
    assert session
