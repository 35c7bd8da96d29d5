"""Config classes the codemod must leave alone."""

from pydantic import BaseConfig, BaseModel


class Commented(BaseModel):
    name: str

    class Config:
        orm_mode = True  # comments would be lost in ConfigDict(...)


class Inherited(BaseModel):
    name: str

    class Config(BaseConfig):
        orm_mode = True


class Mutable(BaseModel):
    name: str

    class Config:
        allow_mutation = False


class WithMethod(BaseModel):
    name: str

    class Config:
        orm_mode = True

        @staticmethod
        def schema_extra(schema):
            schema.pop("title", None)


class Private(BaseModel):
    name: str

    class Config:
        underscore_attrs_are_private = True


class Twice(BaseModel):
    name: str

    class Config:
        orm_mode = True

    model_config = {"frozen": True}
