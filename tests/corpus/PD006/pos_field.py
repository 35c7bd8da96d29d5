from pydantic import BaseModel, Field


class Item(BaseModel):
    code: str = Field(..., regex=r"^[A-Z]{3}$")  # HIT
    tags: list[str] = Field(default_factory=list, min_items=1)  # HIT
    kind: str = Field("a", const=True)  # HIT
