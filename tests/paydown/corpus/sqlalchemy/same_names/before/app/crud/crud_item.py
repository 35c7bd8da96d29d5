from sqlalchemy.orm import Session

from app.models.item import Item


def get_by_title(db: Session, title: str) -> Item | None:
    return db.query(Item).filter(Item.title == title).first()
