"""Config classes that become model_config (PD001) with renamed keys (PD002)."""

from pydantic import BaseModel, ConfigDict


class ItemBase(BaseModel):
    title: str


class ItemOut(ItemBase):
    id: int

    # read straight from ORM rows
    model_config = ConfigDict(from_attributes=True, populate_by_name=True, extra="forbid", json_schema_extra={
        "example": {"id": 1, "title": "A book"},
    })


class Strict(BaseModel):
    name: str

    model_config = ConfigDict(str_strip_whitespace=True, validate_default=True)
