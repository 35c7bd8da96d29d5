from pydantic import BaseModel, validator


class BookOut(BaseModel):
    id: int
    title: str

    class Config:
        orm_mode = True


class BookIn(BaseModel):
    title: str

    @validator("title")
    def title_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("title must not be blank")
        return value
