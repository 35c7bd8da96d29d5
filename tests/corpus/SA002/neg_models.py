"""Columns that are not bare model attributes: Table() columns, typed attributes,
Alembic operations and other libraries' Column."""

from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


book_tags = Table(
    "book_tags",
    Base.metadata,
    Column("book_id", ForeignKey("books.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    published: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    pages: Mapped[int] = Column(Integer, nullable=False)


def add_isbn() -> None:
    op.add_column("books", Column("isbn", String(13), nullable=True))


class ReportColumns:
    # A plain class that builds columns for a CSV export, not a model.
    def columns(self) -> list[Column]:
        total = Column("total", Integer)
        return [total]
