from pydantic import BaseModel


class Token(BaseModel):
    value: str

    class Config:
        orm_mode = True
