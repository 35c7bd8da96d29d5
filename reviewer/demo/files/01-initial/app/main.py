import time

import requests
from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session

from app.db import get_session
from app.models import Book
from app.schemas import BookIn, BookOut

app = FastAPI()


@app.on_event("startup")
async def warm_up() -> None:
    time.sleep(1)


@app.get("/books", response_model=list[BookOut])
def list_books(session: Session = Depends(get_session)):
    return session.query(Book).all()


@app.post("/books", response_model=BookOut)
async def create_book(payload: BookIn, session: Session = Depends(get_session)):
    requests.post("https://hooks.example.invalid/new-book", json=payload.model_dump())
    book = Book(title=payload.title)
    session.add(book)
    session.commit()
    return book
