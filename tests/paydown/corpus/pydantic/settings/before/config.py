from pydantic import BaseSettings


class Settings(BaseSettings):
    database_url: str = "sqlite://"

    class Config:
        env_file = ".env"
        env_prefix = "APP_"


settings = Settings()
