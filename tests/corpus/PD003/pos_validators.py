import pydantic
from pydantic import BaseModel, root_validator, validator
from pydantic import validator as check


class SignupIn(BaseModel):
    email: str
    password: str
    password_again: str

    @validator("email")  # HIT
    def lower_email(cls, value: str) -> str:
        return value.strip().lower()

    @root_validator(skip_on_failure=True)  # HIT
    def passwords_match(cls, values: dict) -> dict:
        if values.get("password") != values.get("password_again"):
            raise ValueError("passwords differ")
        return values


class Address(BaseModel):
    zip_code: str
    country: str

    @check("zip_code", pre=True)  # HIT
    def strip_zip(cls, value: str) -> str:
        return value.replace(" ", "")

    @pydantic.validator("country")  # HIT
    def upper_country(cls, value: str) -> str:
        return value.upper()
