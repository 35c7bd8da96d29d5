"""Test code reading lazy relationships in a loop: a test's queries per row are not the
product's performance, so SA005 stays quiet here (issue 11: N+1 Criticals in tests)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Author, Book


def test_every_author_has_books(session: Session) -> None:
    for author in session.scalars(select(Author)).all():
        assert author.books


def test_books_point_back(session: Session) -> None:
    for book in session.execute(select(Book)).scalars().all():
        assert book.author.name
