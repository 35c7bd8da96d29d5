"""Token accounting, cost estimates and the limits of a Claude run. Django-free."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

PER_MILLION = Decimal(1_000_000)


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_usd: Decimal = Decimal(0)

    def add_response(self, usage: Any, price: dict[str, float]) -> Usage:
        """Add one response's usage (an SDK ``Usage``); returns that response's share."""
        one = Usage(
            input_tokens=int(getattr(usage, "input_tokens", 0) or 0),
            output_tokens=int(getattr(usage, "output_tokens", 0) or 0),
            cache_read_tokens=int(getattr(usage, "cache_read_input_tokens", 0) or 0),
            cache_write_tokens=int(getattr(usage, "cache_creation_input_tokens", 0) or 0),
        )
        one.cost_usd = estimate_cost(one, price)
        self.merge(one)
        return one

    def merge(self, other: Usage) -> None:
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cache_read_tokens += other.cache_read_tokens
        self.cache_write_tokens += other.cache_write_tokens
        self.cost_usd += other.cost_usd

    @property
    def all_input_tokens(self) -> int:
        return self.input_tokens + self.cache_read_tokens + self.cache_write_tokens

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["cost_usd"] = str(self.cost_usd.quantize(Decimal("0.0001")))
        return data


def estimate_cost(usage: Usage, price: dict[str, float]) -> Decimal:
    """US dollars for one request's ``usage`` at ``price`` (dollars per million tokens by
    kind). A model priced by prompt length (``long_prompt_tokens``, ``long_prompt_factor``:
    Haiku 5.5 costs 5x on every kind, output included, when the prompt with cache reads
    and writes is over 100,000 tokens) pays the higher rate for that request."""

    def rate(kind: str) -> Decimal:
        return Decimal(str(price.get(kind, 0)))

    total = (
        usage.input_tokens * rate("input")
        + usage.output_tokens * rate("output")
        + usage.cache_read_tokens * rate("cache_read")
        + usage.cache_write_tokens * rate("cache_write")
    )
    threshold = int(price.get("long_prompt_tokens", 0) or 0)
    if threshold and usage.all_input_tokens > threshold:
        total *= Decimal(str(price.get("long_prompt_factor", 1)))
    return total / PER_MILLION


@dataclass(frozen=True)
class Limits:
    """Upper bounds; 0 means no bound of that kind."""

    max_turns: int = 0
    max_input_tokens: int = 0
    max_output_tokens: int = 0
    max_cost_usd: Decimal = Decimal(0)

    def exceeded(self, spent: Usage, turns: int = 0) -> str | None:
        """Why ``spent`` is at or over a limit, or None."""
        if self.max_turns and turns >= self.max_turns:
            return f"turn limit ({self.max_turns}) reached"
        if self.max_input_tokens and spent.all_input_tokens >= self.max_input_tokens:
            return f"input token budget ({self.max_input_tokens}) reached"
        if self.max_output_tokens and spent.output_tokens >= self.max_output_tokens:
            return f"output token budget ({self.max_output_tokens}) reached"
        if self.max_cost_usd and spent.cost_usd >= self.max_cost_usd:
            return f"cost budget (${self.max_cost_usd}) reached"
        return None

    @classmethod
    def from_mapping(cls, data: dict[str, Any], overrides: dict[str, Any] | None = None) -> Limits:
        merged = {**data, **{k: v for k, v in (overrides or {}).items() if v is not None}}
        try:
            return cls(
                max_turns=int(merged.get("max_turns", 0) or 0),
                max_input_tokens=int(merged.get("max_input_tokens", 0) or 0),
                max_output_tokens=int(merged.get("max_output_tokens", 0) or 0),
                max_cost_usd=Decimal(str(merged.get("max_cost_usd", 0) or 0)),
            )
        except (ValueError, ArithmeticError) as exc:
            raise ValueError(f"bad budget value: {exc}") from None


@dataclass(frozen=True)
class Deadline:
    """When the work must stop (``time.monotonic()`` seconds) and what to say then."""

    at: float
    reason: str

    @classmethod
    def after(cls, seconds: float, reason: str) -> Deadline:
        return cls(time.monotonic() + seconds, reason)

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def passed(self) -> bool:
        return self.remaining() <= 0
