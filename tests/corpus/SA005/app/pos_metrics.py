from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Book


def book_metrics(session: Session) -> list[dict[str, str]]:
    metrics = []
    for book in session.scalars(select(Book)).all():
        if book.author is None:  # HIT
            continue
        metrics.append({"author_id": str(book.author.id), "author": book.author.name})
    return metrics
