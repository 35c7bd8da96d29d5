from typing import Optional

from pydantic import BaseModel, Field, validator


class Incident(BaseModel):
    title: str
    description: Optional[str] = None
    status: str = Field("open", max_length=20)
    priority: int
    owner: str = Field(
        "nobody",
        description="who handles it",
    )

    @validator("description", pre=True, always=True)
    def default_description(cls, value):
        return value or "No description."

    @validator("status", always=True)
    def known_status(cls, value):
        return value.lower()

    @validator("priority", always=True)
    def bounded(cls, value):
        return min(value, 5)

    @validator("owner", always=True, pre=True)
    def clean_owner(cls, value):
        return value.strip()

    @validator("title")
    def title_mentions_priority(cls, value, values):
        if "priority" in values and values["priority"] > 3:
            return value.upper()
        return value if values.get("status") != "closed" else f"[closed] {value}"


class Webhook(BaseModel):
    url: str

    @validator("url", pre=True)
    @classmethod
    def strip_url(cls, value):
        return value.strip()
