"""Validators that are already v2, come from the v1 compatibility module, or are other
libraries' decorators called ``validator``."""

import attrs
from marshmallow import Schema, fields, validates
from pydantic import BaseModel, field_validator, model_validator
from pydantic.v1 import BaseModel as V1Model
from pydantic.v1 import validator as v1_validator
from wtforms import validators


class SignupIn(BaseModel):
    email: str
    password: str
    password_again: str

    @field_validator("email")
    @classmethod
    def lower_email(cls, value: str) -> str:
        return value.strip().lower()

    @model_validator(mode="after")
    def passwords_match(self) -> "SignupIn":
        if self.password != self.password_again:
            raise ValueError("passwords differ")
        return self


class LegacyPayload(V1Model):
    # Deliberately kept on pydantic.v1 (PD007 reports the import itself).
    name: str

    @v1_validator("name")
    def strip(cls, value: str) -> str:
        return value.strip()


class UserSchema(Schema):
    age = fields.Int()

    @validates("age")
    def positive(self, value: int) -> None:
        if value < 0:
            raise ValueError("negative")


@attrs.define
class Point:
    x: int = attrs.field(validator=attrs.validators.instance_of(int))


def validator(name: str):
    """A local decorator that happens to share the name."""

    def wrap(func):
        return func

    return wrap


class Form:
    @validator("title")
    def title(self) -> None:
        validators.DataRequired()
