from pydantic import BaseModel, Field


class Code(BaseModel):
    value: str = Field(..., pattern=r"^[A-Z]{3}$")
    tags: list[str] = Field(default_factory=list, min_length=1, max_length=5)
    kind: str = Field("code", const=True)
    owner: str = Field("me", allow_mutation=False)
