import datetime
import enum
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import Boolean, Column, Date, DateTime, Enum, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Status(enum.Enum):
    draft = "draft"
    live = "live"


class TimestampMixin:
    created_at = Column(DateTime(timezone=True), nullable=False, default=datetime.datetime.utcnow)
    updated_at = Column(DateTime(timezone=True), onupdate=datetime.datetime.utcnow)


class Page(TimestampMixin, Base):
    __tablename__ = "pages"

    id = Column(Integer, primary_key=True, index=True)
    public_id = Column(UUID(as_uuid=True), unique=True, nullable=False)
    slug = Column("page_slug", String(80), unique=True, nullable=False)
    body = Column(Text)  # markdown
    published = Column(Boolean, default=False, server_default=sa.false())
    status = Column(Enum(Status), nullable=False, default=Status.draft)
    price = Column(Numeric(10, 2))
    parent_id = sa.Column(sa.Integer, ForeignKey("pages.id"), nullable=True)
    published_on = Column(Date)


assert Decimal
