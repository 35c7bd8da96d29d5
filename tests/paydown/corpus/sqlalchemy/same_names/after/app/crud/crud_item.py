from sqlalchemy.orm import Session
from sqlalchemy import select

from app.models.item import Item


def get_by_title(db: Session, title: str) -> Item | None:
    return db.scalars(select(Item).where(Item.title == title).limit(1)).first()
