from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import Author, Book


def report(session: Session) -> list[int]:
    stmt = select(Author).options(selectinload(Author.books))
    return [len(a.books) for a in session.scalars(stmt).all()]


def eager(session: Session) -> list[int]:
    authors = session.scalars(select(Author).options(selectinload(Author.books))).all()
    out = []
    for author in authors:
        out.append(len(author.books))
    return out


def names(session: Session) -> list[str]:
    out = []
    for author in session.scalars(select(Author)).all():
        out.append(author.name)
        out.extend(str(a) for a in author.awards)
    return out


def not_a_query(shelves) -> list[int]:
    return [len(shelf.books) for shelf in shelves] + [b.author for b in shelves]


def plain_loop(items: list[Book]) -> None:
    for book in items:
        print(book.author)
