from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, Discriminator, Field, PrivateAttr


class Card(BaseModel):
    kind: Literal["card"] = "card"
    number: str


class Transfer(BaseModel):
    kind: Literal["transfer"] = "transfer"
    iban: str


class Event(BaseModel):
    name: str
    payload: Any
    metadata: dict[str, Any] = {}
    extra: Any | None = None
    attributes: dict[str, list[Any]] = Field(default_factory=dict)
    registry: ClassVar[Any] = None
    _cache: Any = PrivateAttr(default=None)
    coerced: Annotated[Any, BeforeValidator(str)] = None


class Payment(BaseModel):
    method: Card | Transfer = Field(discriminator="kind")
    backup: Annotated[Card | Transfer, Field(discriminator="kind")] | None = None
    history: list[Annotated[Card | Transfer, Discriminator("kind")]] = []
    either: Card | Transfer = Field(union_mode="left_to_right")
    ref: int | str
    note: str | None = None
    external: Card | ExternalMethod


class NotAModel:
    value: Any
    method: Card | Transfer


def handler(item: Any) -> Card | Transfer:
    return item
