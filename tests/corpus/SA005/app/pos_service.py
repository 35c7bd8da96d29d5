from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Author, Book


def all_authors(session: Session):
    return session.scalars(select(Author)).all()


def report(session: Session) -> list[int]:
    counts = []
    for author in all_authors(session):
        counts.append(len(author.books))  # HIT
    return counts


def titles(session: Session) -> list[str]:
    books = session.execute(select(Book)).scalars().all()
    out = []
    for book in books:
        out.append(book.author.name)  # HIT
    return out


def legacy(session: Session) -> None:
    for author in session.query(Author).all():
        print(author.books)  # HIT
