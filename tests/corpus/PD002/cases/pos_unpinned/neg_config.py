from pydantic import BaseModel, ConfigDict


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


class Settings:
    class Config:
        orm_mode = True  # not a pydantic model


class Other(BaseModel):
    model_config = {"str_strip_whitespace": True}
