from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    jwt_secret: str
    access_token_expire_minutes: int = 30
