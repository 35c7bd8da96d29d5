import datetime
import enum
from decimal import Decimal
from typing import Optional
import uuid

import sqlalchemy as sa
from sqlalchemy import Boolean, Date, DateTime, Enum, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Status(enum.Enum):
    draft = "draft"
    live = "live"


class TimestampMixin:
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=datetime.datetime.utcnow)
    updated_at: Mapped[Optional[datetime.datetime]] = mapped_column(DateTime(timezone=True), onupdate=datetime.datetime.utcnow)


class Page(TimestampMixin, Base):
    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    public_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True, nullable=False)
    slug: Mapped[str] = mapped_column("page_slug", String(80), unique=True, nullable=False)
    body: Mapped[Optional[str]] = mapped_column(Text)  # markdown
    published: Mapped[Optional[bool]] = mapped_column(Boolean, default=False, server_default=sa.false())
    status: Mapped[Status] = mapped_column(Enum(Status), nullable=False, default=Status.draft)
    price: Mapped[Optional[Decimal]] = mapped_column(Numeric(10, 2))
    parent_id: Mapped[Optional[int]] = mapped_column(sa.Integer, ForeignKey("pages.id"), nullable=True)
    published_on: Mapped[Optional[datetime.date]] = mapped_column(Date)


assert Decimal
