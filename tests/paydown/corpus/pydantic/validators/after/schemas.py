from pydantic import BaseModel, field_validator, model_validator


class Signup(BaseModel):
    email: str
    name: str

    @field_validator("email")
    @classmethod
    def lower_email(cls, value):
        return value.lower()

    @field_validator("name", mode="before")
    @classmethod
    def strip_name(cls, value):
        return value.strip()

    @model_validator(mode="before")
    @classmethod
    def fill_name(cls, values):
        values.setdefault("name", values.get("email", ""))
        return values
