from sqlalchemy.orm import Session, selectinload

from app import models
from app.models import Author, Book


def get_book(db: Session, book_id: int) -> Book | None:
    return db.query(Book).filter(Book.id == book_id).first()


def get_book_by_pk(db: Session, book_id: int) -> Book | None:
    return db.query(Book).get(book_id)


def list_books(db: Session, skip: int = 0, limit: int = 100) -> list[Book]:
    return (
        db.query(Book)
        .filter(Book.title != "")  # hidden drafts have no title
        .order_by(Book.title)
        .offset(skip)
        .limit(limit)
        .all()
    )


def only_book(session: Session, title: str) -> Book:
    return session.query(models.Book).filter_by(title=title).one()


def maybe_author(session: Session, author_id: int) -> Author | None:
    return session.query(Author).options(selectinload(Author.books)).filter(Author.id == author_id).one_or_none()


def single_author(db_session: Session) -> Author | None:
    return db_session.query(Author).scalar()
