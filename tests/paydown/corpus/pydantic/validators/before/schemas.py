from pydantic import BaseModel, root_validator, validator


class Signup(BaseModel):
    email: str
    name: str

    @validator("email")
    def lower_email(cls, value):
        return value.lower()

    @validator("name", pre=True, allow_reuse=True)
    def strip_name(cls, value):
        return value.strip()

    @root_validator(pre=True)
    def fill_name(cls, values):
        values.setdefault("name", values.get("email", ""))
        return values
