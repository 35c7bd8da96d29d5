from typing import Optional

from pydantic import BaseModel, Field, ValidationInfo, field_validator


class Incident(BaseModel):
    title: str
    description: Optional[str] = Field(None, validate_default=True)
    status: str = Field("open", max_length=20, validate_default=True)
    priority: int
    owner: str = Field(
        "nobody",
        description="who handles it", validate_default=True,
    )

    @field_validator("description", mode="before")
    @classmethod
    def default_description(cls, value):
        return value or "No description."

    @field_validator("status")
    @classmethod
    def known_status(cls, value):
        return value.lower()

    @field_validator("priority")
    @classmethod
    def bounded(cls, value):
        return min(value, 5)

    @field_validator("owner", mode="before")
    @classmethod
    def clean_owner(cls, value):
        return value.strip()

    @field_validator("title")
    @classmethod
    def title_mentions_priority(cls, value, info: ValidationInfo):
        if "priority" in info.data and info.data["priority"] > 3:
            return value.upper()
        return value if info.data.get("status") != "closed" else f"[closed] {value}"


class Webhook(BaseModel):
    url: str

    @field_validator("url", mode="before")
    @classmethod
    def strip_url(cls, value):
        return value.strip()
