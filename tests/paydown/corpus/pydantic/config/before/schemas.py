"""Config classes that become model_config (PD001) with renamed keys (PD002)."""

from pydantic import BaseModel, Extra


class ItemBase(BaseModel):
    title: str


class ItemOut(ItemBase):
    id: int

    # read straight from ORM rows
    class Config:
        orm_mode = True
        allow_population_by_field_name = True
        extra = Extra.forbid
        schema_extra = {
            "example": {"id": 1, "title": "A book"},
        }


class Strict(BaseModel):
    name: str

    class Config:
        anystr_strip_whitespace = True
        validate_all = True
