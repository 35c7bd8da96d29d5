from sqlalchemy.orm import Session, selectinload
from sqlalchemy import select

from app import models
from app.models import Author, Book


def get_book(db: Session, book_id: int) -> Book | None:
    return db.scalars(select(Book).where(Book.id == book_id).limit(1)).first()


def get_book_by_pk(db: Session, book_id: int) -> Book | None:
    return db.get(Book, book_id)


def list_books(db: Session, skip: int = 0, limit: int = 100) -> list[Book]:
    return (
        db.scalars(select(Book)
        .where(Book.title != "")  # hidden drafts have no title
        .order_by(Book.title)
        .offset(skip)
        .limit(limit))
        .all()
    )


def only_book(session: Session, title: str) -> Book:
    return session.scalars(select(models.Book).filter_by(title=title)).one()


def maybe_author(session: Session, author_id: int) -> Author | None:
    return session.scalars(select(Author).options(selectinload(Author.books)).where(Author.id == author_id)).one_or_none()


def single_author(db_session: Session) -> Author | None:
    return db_session.scalars(select(Author)).one_or_none()
