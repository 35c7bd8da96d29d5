import datetime
from typing import Optional

from sqlalchemy import JSON, Column, Date, ForeignKey, Integer, String
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy_utils import TSVectorType


class Base(DeclarativeBase):
    pass


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payload = Column(JSON)
    search = Column(TSVectorType("name"))
    owner_id = Column(ForeignKey("users.id"))
    legacy_id = Column(UUID)
    code = Column(String, key="event_code")
    name: str = Column(String)
    date: Mapped[Optional[datetime.date]] = mapped_column(Date)
    end: Mapped[Optional[datetime.date]] = mapped_column(Date)
    size = Column(Integer, nullable=some_flag())


def some_flag() -> bool:
    return True
