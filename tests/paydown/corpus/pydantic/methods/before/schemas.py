from typing import Optional, TypeVar

from pydantic import BaseModel

ModelT = TypeVar("ModelT", bound=BaseModel)


class UserIn(BaseModel):
    email: str
    full_name: Optional[str] = None

    def as_row(self) -> dict:
        return self.dict(exclude_none=True)


class UserOut(UserIn):
    id: int


class Page(BaseModel):
    items: list["UserOut"]


Page.update_forward_refs()
