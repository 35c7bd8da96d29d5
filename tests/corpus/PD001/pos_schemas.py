from datetime import datetime

from pydantic import BaseModel, BaseSettings, Field


class BookOut(BaseModel):
    id: int
    title: str
    published_at: datetime | None = None

    class Config:  # HIT
        orm_mode = True


class BookIn(BookOut):
    title: str = Field(min_length=1)

    class Config:  # HIT
        anystr_strip_whitespace = True
        extra = "forbid"


class Settings(BaseSettings):
    database_url: str

    class Config:  # HIT
        env_file = ".env"
        env_prefix = "APP_"
