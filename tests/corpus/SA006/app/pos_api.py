from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Author, Book


async def list_authors(session: AsyncSession) -> list[int]:
    authors = (await session.scalars(select(Author))).all()
    out = []
    for author in authors:
        out.append(len(author.books))  # HIT
    return out


async def list_books(session: AsyncSession) -> list[str]:
    result = await session.execute(select(Book))
    titles = []
    for book in result.scalars():
        titles.append(book.author.name)  # HIT
    return titles


async def stream(session: AsyncSession) -> None:
    async for author in await session.stream_scalars(select(Author)):
        print(author.books)  # HIT
