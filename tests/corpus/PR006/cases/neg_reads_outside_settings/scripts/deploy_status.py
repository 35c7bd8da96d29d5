"""CI helper: posts the preview URL to the pull request."""

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    github_token: str
    github_repository: str
    deploy_url: str | None = None


settings = Settings()
