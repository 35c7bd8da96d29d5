from sqlalchemy import JSON, Column, Date, ForeignKey, Integer, String
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy_utils import TSVectorType


class Base(DeclarativeBase):
    pass


class Event(Base):
    __tablename__ = "events"

    id = Column(Integer, primary_key=True)
    payload = Column(JSON)
    search = Column(TSVectorType("name"))
    owner_id = Column(ForeignKey("users.id"))
    legacy_id = Column(UUID)
    code = Column(String, key="event_code")
    name: str = Column(String)
    date = Column(Date)
    end = Column(Date)
    size = Column(Integer, nullable=some_flag())


def some_flag() -> bool:
    return True
