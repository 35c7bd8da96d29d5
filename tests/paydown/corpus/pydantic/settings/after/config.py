from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    database_url: str = "sqlite://"

    model_config = SettingsConfigDict(env_file=".env", env_prefix="APP_")


settings = Settings()
