"""Inner ``Config``/``Meta`` classes that are not Pydantic v1 configuration."""

from django.db import models
from marshmallow import Schema, fields
from pydantic import BaseModel, ConfigDict
from pydantic_settings import BaseSettings, SettingsConfigDict


class BookOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_prefix="APP_")

    database_url: str


class Article(models.Model):
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["title"]


class ArticleSchema(Schema):
    title = fields.Str()

    class Config:
        # marshmallow-era options object, not Pydantic
        ordered = True


class Config:
    """A top-level application config class."""

    debug = False


class Loader:
    def build(self) -> type:
        class Config:
            strict = True

        return Config
