"""SQLModel and Pydantic schemas: the `...Base` naming of FastAPI's tutorials, with
SQLAlchemy columns passed through `sa_column=`."""

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Column, DateTime, Field, SQLModel


class HeroBase(SQLModel):
    name: str = Field(index=True)
    secret_name: str


class Hero(HeroBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True)))


class UserBase(BaseModel):
    email: str


class UserCreate(UserBase):
    password: str
