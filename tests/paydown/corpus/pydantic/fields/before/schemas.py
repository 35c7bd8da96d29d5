from pydantic import BaseModel, Field


class Code(BaseModel):
    value: str = Field(..., regex=r"^[A-Z]{3}$")
    tags: list[str] = Field(default_factory=list, min_items=1, max_items=5)
    kind: str = Field("code", const=True)
    owner: str = Field("me", allow_mutation=False)
