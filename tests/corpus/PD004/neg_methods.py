import httpx
from pydantic import BaseModel


class UserOut(BaseModel):
    id: int


def show(row, payload):
    out = UserOut.model_validate(row)
    body = httpx.get("https://example.com").json()
    clone = payload.copy()
    merged = dict(a=1)
    return out.model_dump(), body, clone, merged, out.model_copy(update={"id": 2})
