import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import requests
from fastapi import Depends, FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import get_session
from app.models import Book
from app.schemas import BookIn, BookOut


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    await asyncio.sleep(0)
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/books", response_model=list[BookOut])
def list_books(session: Session = Depends(get_session)):
    return session.scalars(select(Book).limit(100)).all()


@app.post("/books", response_model=BookOut)
async def create_book(payload: BookIn, session: Session = Depends(get_session)):
    requests.post("https://hooks.example.invalid/new-book", json=payload.model_dump())
    book = Book(title=payload.title)
    session.add(book)
    session.commit()
    return book
