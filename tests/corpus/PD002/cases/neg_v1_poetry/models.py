from pydantic import BaseModel


class Recipe(BaseModel):
    name: str

    class Config:
        allow_population_by_field_name = True
        anystr_strip_whitespace = True
