from dataclasses import field

from pydantic import BaseModel, Field


class Item(BaseModel):
    code: str = Field(..., pattern=r"^[A-Z]{3}$")
    tags: list[str] = Field(default_factory=list, min_length=1)


def Query(regex=None):
    return regex


other = Query(regex="x")
