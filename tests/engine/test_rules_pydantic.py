"""PD001 (inner class Config) and PD003 (v1 validators)."""

from __future__ import annotations

import pytest

from tests.engine.conftest import CheckRule, expected_lines, src

PD001_FIRES = {
    "base_model_with_orm_mode": src(
        """
        from pydantic import BaseModel

        class BookOut(BaseModel):
            id: int

            class Config:  # HIT
                orm_mode = True
        """
    ),
    "settings_with_env_file": src(
        """
        from pydantic_settings import BaseSettings

        class AppSettings(BaseSettings):
            database_url: str

            class Config:  # HIT
                env_file = ".env"
        """
    ),
    "subclass_of_a_model_in_the_same_file": src(
        """
        import pydantic

        class Entity(pydantic.BaseModel):
            id: int

        class User(Entity):
            name: str

            class Config:  # HIT
                allow_population_by_field_name = True
        """
    ),
    "sqlmodel_table": src(
        """
        from sqlmodel import Field, SQLModel

        class Hero(SQLModel, table=True):
            id: int | None = Field(default=None, primary_key=True)

            class Config:  # HIT
                arbitrary_types_allowed = True
        """
    ),
}

PD001_QUIET = {
    "v2_model_config": src(
        """
        from pydantic import BaseModel, ConfigDict

        class BookOut(BaseModel):
            model_config = ConfigDict(from_attributes=True)
            id: int
        """
    ),
    "django_model_with_meta_and_config": src(
        """
        from django.db import models

        class Book(models.Model):
            title = models.CharField(max_length=300)

            class Meta:
                ordering = ["title"]

            class Config:
                label = "books"
        """
    ),
    "top_level_config_classes": src(
        """
        from pydantic import BaseModel

        class Config:
            DEBUG = False

        class Config2(BaseModel):
            debug: bool = False
        """
    ),
    "config_nested_in_a_method": src(
        """
        from pydantic import BaseModel

        class Report(BaseModel):
            title: str

            def render(self):
                class Config:
                    width = 80
                return Config
        """
    ),
    "marshmallow_schema_and_plain_class": src(
        """
        from marshmallow import Schema, fields

        class UserSchema(Schema):
            name = fields.Str()

            class Config:
                ordered = True

        class Service:
            class Config:
                retries = 3
        """
    ),
}


@pytest.mark.parametrize("source", PD001_FIRES.values(), ids=PD001_FIRES.keys())
def test_pd001_fires_on_inner_config_of_pydantic_model(check_rule: CheckRule, source: str) -> None:
    assert check_rule("PD001", source) == expected_lines(source) != []


@pytest.mark.parametrize("source", PD001_QUIET.values(), ids=PD001_QUIET.keys())
def test_pd001_ignores_config_classes_that_are_not_pydantic_model_config(
    check_rule: CheckRule, source: str
) -> None:
    assert check_rule("PD001", source) == []


PD003_FIRES = {
    "validator_from_pydantic": src(
        """
        from pydantic import BaseModel, validator

        class BookIn(BaseModel):
            title: str

            @validator("title")  # HIT
            def not_blank(cls, value):
                return value.strip()
        """
    ),
    "root_validator_bare_and_called": src(
        """
        from pydantic import BaseModel, root_validator

        class Window(BaseModel):
            start: int
            end: int

            @root_validator  # HIT
            def ordered(cls, values):
                return values

            @root_validator(pre=True)  # HIT
            def defaults(cls, values):
                return values
        """
    ),
    "module_attribute_and_alias": src(
        """
        import pydantic as pd
        from pydantic import validator as check

        class Item(pd.BaseModel):
            price: int

            @pd.validator("price")  # HIT
            def positive(cls, value):
                return value

            @check("price", pre=True)  # HIT
            def coerce(cls, value):
                return int(value)
        """
    ),
    "star_import": src(
        """
        from pydantic import *

        class Item(BaseModel):
            name: str

            @validator("name")  # HIT
            def strip(cls, value):
                return value.strip()
        """
    ),
}

PD003_QUIET = {
    "v2_field_and_model_validators": src(
        """
        from pydantic import BaseModel, field_validator, model_validator

        class BookIn(BaseModel):
            title: str

            @field_validator("title")
            @classmethod
            def not_blank(cls, value: str) -> str:
                return value.strip()

            @model_validator(mode="after")
            def check(self):
                return self
        """
    ),
    "local_decorator_named_validator": src(
        """
        def validator(fn):
            return fn

        @validator
        def check_order(order):
            return order
        """
    ),
    "pydantic_v1_compat_module": src(
        """
        from pydantic.v1 import BaseModel, validator

        class Legacy(BaseModel):
            x: int

            @validator("x")
            def check(cls, value):
                return value
        """
    ),
    "other_libraries_validators": src(
        """
        from sqlalchemy.orm import validates
        from forms.checks import validator

        class User(Base):
            @validates("email")
            def check_email(self, key, value):
                return value

        class SignupForm:
            @validator("email")
            def email(self, value):
                return value
        """
    ),
}


@pytest.mark.parametrize("source", PD003_FIRES.values(), ids=PD003_FIRES.keys())
def test_pd003_fires_on_v1_validator_decorators(check_rule: CheckRule, source: str) -> None:
    assert check_rule("PD003", source) == expected_lines(source) != []


@pytest.mark.parametrize("source", PD003_QUIET.values(), ids=PD003_QUIET.keys())
def test_pd003_ignores_v2_validators_and_other_libraries(
    check_rule: CheckRule, source: str
) -> None:
    assert check_rule("PD003", source) == []
