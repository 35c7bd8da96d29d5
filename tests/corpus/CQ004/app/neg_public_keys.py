"""Client-side keys that are public by design sit next to real secrets."""

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    ANALYTICS_ENABLED: bool = True
    POSTHOG_PROJECT_API_KEY: str = "phc_Q8rWm2LkTz7VhYc4NbXe1Ja9PdSf6GuKo3Ri5Ml0Htv"
    POSTHOG_HOST: str = "https://eu.posthog.com"
    STRIPE_PUBLISHABLE_KEY: str | None = "pk_live_51Hx7ZaK2mLqR9vT0cWbN4yDf8EeGu"
    STRIPE_SECRET_KEY: str = "sk_live_51Hx7ZaK2mLqR9vT0cWbN4yDf8EeGuQ"  # HIT
