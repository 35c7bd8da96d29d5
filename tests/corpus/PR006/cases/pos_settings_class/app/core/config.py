from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):  # HIT
    model_config = SettingsConfigDict(env_file=".env")

    database_url: str
    redis_url: str = "redis://localhost:6379/0"
    jwt_secret: str


settings = Settings()
