from sqlalchemy.orm import Session, joinedload
from sqlalchemy import select

from app.models import Author, Book


def titles(db: Session) -> list:
    return db.query(Book.title).all()


def pairs(db: Session) -> list:
    return db.query(Book, Author).join(Author).all()


def with_author(db: Session) -> list[Book]:
    return db.query(Book).join(Book.author).filter(Author.id == 1).all()


def eager(db: Session) -> list[Book]:
    return db.query(Book).options(joinedload(Book.author)).all()


def dynamic(db: Session, title: str | None) -> list[Book]:
    query = db.query(Book)
    if title:
        query = query.filter(Book.title == title)
    return query.all()


def remove(db: Session) -> int:
    return db.query(Book).filter(Book.title == "").delete()


def how_many(db: Session) -> int:
    return db.query(Book).count()


def by_pk_loaded(db: Session, book_id: int) -> Book | None:
    return db.query(Book).options(joinedload(Book.author)).get(book_id)


def authors(db: Session) -> list[Author]:
    return db.scalars(select(Author)).unique().all()


def each(db: Session) -> None:
    for book in db.query(Book):
        print(book)
