from pydantic import BaseModel


class MessageRow(BaseModel):
    id: int

    class Config:
        orm_mode = True
