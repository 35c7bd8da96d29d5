from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.db import get_async_session, get_session
from app.models import Author, Book
from app.schemas import AuthorOut, BookOut

router = APIRouter(prefix="/books", tags=["books"])


@router.get("", response_model=list[BookOut])
def list_books(session: Session = Depends(get_session)):
    return session.scalars(select(Book).order_by(Book.title)).all()  # HIT


@router.get("/legacy", response_model=list[BookOut])
def list_books_legacy(session: Session = Depends(get_session)):
    books = session.query(Book).filter(Book.deleted_at.is_(None)).all()  # HIT
    return books


@router.get("/authors", response_model=list[AuthorOut])
async def list_authors(session: AsyncSession = Depends(get_async_session)):
    result = await session.execute(select(Author))
    authors = result.scalars().all()  # HIT
    return [AuthorOut.model_validate(a) for a in authors]


@router.get("/by-author/{author_id}")
async def books_of_author(author_id: int, session: AsyncSession = Depends(get_async_session)):
    stmt = select(Book).where(Book.author_id == author_id)
    return {"items": (await session.scalars(stmt)).all()}  # HIT
