import pydantic
from pydantic import BaseModel, root_validator, validator


class Order(BaseModel):
    quantity: int
    unit_price: float
    tags: list[str] = []

    @validator("quantity", always=True)
    def positive(cls, value):
        return max(value, 1)

    @validator("tags", each_item=True)
    def short_tag(cls, value):
        return value[:20]

    @validator("unit_price")
    def price_for_quantity(cls, value, values):
        return value if values.get("quantity") else 0.0

    @root_validator
    def bare_root(cls, values):
        return values

    @root_validator(skip_on_failure=True)
    def after_root(cls, values):
        return values

    @pydantic.validator("unit_price")
    def dotted(cls, value):
        return value
