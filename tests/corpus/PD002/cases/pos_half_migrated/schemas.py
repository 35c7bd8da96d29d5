from pydantic import BaseModel


class OrderOut(BaseModel):
    id: int

    class Config:
        allow_population_by_field_name = True  # HIT
