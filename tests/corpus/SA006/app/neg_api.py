from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from app.models import Author, Book


async def list_authors(session: AsyncSession) -> list[int]:
    stmt = select(Author).options(selectinload(Author.books))
    authors = (await session.scalars(stmt)).all()
    return [len(a.books) for a in authors]


async def list_books(session: AsyncSession) -> list[str]:
    result = await session.execute(select(Book).options(joinedload(Book.author)))
    out = []
    for book in result.scalars():
        out.append(book.author.name)
    return out


async def awards(session: AsyncSession) -> list[str]:
    out = []
    for author in (await session.scalars(select(Author))).all():
        out.extend(str(a) for a in author.awards)
        out.append(author.name)
    return out


def sync_side(session) -> None:
    for author in session.scalars(select(Author)).all():
        print(author.books)
