from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    secret_key: str
    database_url: str
    stripe_api_key: str
    sentry_dsn: str = ""
