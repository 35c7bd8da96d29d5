from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from app.models import Author, Book


class AuthorRepository:
    def _authors_with_books(self, title: str):
        return (
            select(Author)
            .join(Author.books)
            .where(Book.title == title)
            .options(contains_eager(Author.books))
        )

    async def book_counts(self, session: AsyncSession, title: str) -> dict[int, int]:
        stmt = self._authors_with_books(title)
        rows = (await session.scalars(stmt)).unique().all()
        counts = {}
        for author in rows:
            counts[author.id] = len(author.books)
        return counts
