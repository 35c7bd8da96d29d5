import pydantic
from pydantic import BaseModel, root_validator, validator


class Base(BaseModel):
    quantity: int


class Order(Base):
    unit_price: float
    tags: list[str] = []

    @validator("quantity", always=True)
    def positive(cls, value):
        return max(value, 1)

    @validator("unit_price")
    def uses_values(cls, value, values):
        values["seen"] = True
        return value

    @validator("tags", each_item=True)
    def short_tag(cls, value):
        return value[:20]

    @root_validator
    def bare_root(cls, values):
        return values

    @root_validator(skip_on_failure=True)
    def after_root(cls, values):
        return values

    @pydantic.validator("unit_price")
    def dotted(cls, value):
        return value
