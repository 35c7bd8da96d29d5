from decimal import Decimal
from typing import Any, List, Literal, Optional, Union

from pydantic import BaseModel, Field


class Card(BaseModel):
    kind: Literal["card"] = "card"
    number: str


class Transfer(BaseModel):
    kind: Literal["transfer"] = "transfer"
    iban: str


class Voucher(BaseModel):
    code: str


class PaymentIn(BaseModel):
    amount: Any  # HIT
    currency: Optional[Any] = None  # HIT
    method: Card | Transfer  # HIT
    fallback: Union[Card, Voucher, None] = None  # HIT
    tags: List[Any] = Field(default_factory=list)  # HIT


class Refund(PaymentIn):
    reason: str
    steps: list[Card | Transfer] = []  # HIT
    total: Decimal
