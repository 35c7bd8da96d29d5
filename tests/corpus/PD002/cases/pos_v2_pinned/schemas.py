from pydantic import BaseModel


class UserOut(BaseModel):
    id: int

    class Config:
        orm_mode = True  # HIT
