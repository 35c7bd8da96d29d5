from pydantic import BaseModel, ConfigDict


class UserOut(BaseModel):
    id: int

    class Config:
        orm_mode = True  # HIT
        allow_population_by_field_name = True  # HIT


class ItemOut(BaseModel):
    model_config = ConfigDict(anystr_strip_whitespace=True)  # HIT
