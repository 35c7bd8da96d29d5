from pydantic_settings import BaseSettings


class TestSettings(BaseSettings):
    database_url: str
