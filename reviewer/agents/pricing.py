"""Model ids and their prices, from settings (``ANTHROPIC_MODEL_ALIASES``,
``ANTHROPIC_PRICES``; both overridable from the environment). Django-free.

An agent's ``model:`` is an alias (``sonnet``, ``inherit``) or a model id. Only a model id
with a price is ever used: an unknown id is refused with :class:`UnknownModelError` (naming the
setting to change) instead of being priced as some other model. A dated snapshot
(``claude-haiku-4-5-20251001``) takes its model's prices.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal

PRICE_KINDS = ("input", "output", "cache_write", "cache_read", "batch")
#: Not prices: the smallest cacheable prefix, and a prompt-length tier (a request whose
#: prompt, cache reads and writes included, is over ``long_prompt_tokens`` pays every kind
#: times ``long_prompt_factor``).
PRICE_SETTINGS = ("min_cache_tokens", "long_prompt_tokens", "long_prompt_factor")
_SNAPSHOT = re.compile(r"^(.*)-\d{8}$")
#: The smallest prefix (system + tools) worth a cache breakpoint, when the price table does
#: not say (the larger figure the current models publish).
DEFAULT_MIN_CACHE_TOKENS = 4096


class UnknownModelError(ValueError):
    """A model id without prices: refused, never guessed."""


def resolve(alias: str, aliases: Mapping[str, str]) -> str:
    """A model id for an agent's ``model:`` value (an alias, possibly ``inherit`` pointing
    at another alias, or an id)."""
    key = alias.strip()
    model = aliases.get(key.lower(), key)
    seen = {key.lower()}
    while model.lower() in aliases and model.lower() not in seen:
        seen.add(model.lower())
        model = aliases[model.lower()]
    return model


def prices(model: str, table: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """US dollars per million tokens of each kind for ``model`` (an exact id, or a dated
    snapshot of one); UnknownModelError otherwise."""
    entry = table.get(model)
    if entry is None:
        snapshot = _SNAPSHOT.match(model)
        entry = table.get(snapshot.group(1)) if snapshot else None
    if entry is None:
        known = ", ".join(sorted(table)) or "none"
        raise UnknownModelError(
            f"unknown model id {model[:80]!r}: no prices for it (known: {known}); add it to "
            "ANTHROPIC_PRICES_JSON or use a known model"
        )
    return {k: float(v) for k, v in entry.items()}


def batch_prices(price: Mapping[str, float]) -> dict[str, float]:
    """The prices of a Message Batch request: each kind times the model's batch factor."""
    factor = Decimal(str(price.get("batch", 0.5)))
    return {
        k: v if k in PRICE_SETTINGS else float(Decimal(str(v)) * factor)
        for k, v in price.items()
        if k not in ("batch", "min_cache_tokens")
    }


def min_cache_tokens(price: Mapping[str, float]) -> int:
    return int(price.get("min_cache_tokens", DEFAULT_MIN_CACHE_TOKENS))


def merge_json(
    table: dict[str, dict[str, float]], raw: str, source: str
) -> dict[str, dict[str, float]]:
    """``table`` with the models of a JSON object (``{"model-id": {"input": 3, ...}}``)
    added or changed; a malformed value raises ValueError naming ``source``."""
    if not raw.strip():
        return table
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{source} is not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{source} must be a JSON object of model ids")
    merged = {k: dict(v) for k, v in table.items()}
    for model, entry in data.items():
        if not isinstance(entry, dict):
            raise ValueError(f"{source}: {model!r} must map price kinds to numbers")
        for kind, value in entry.items():
            if kind not in (*PRICE_KINDS, *PRICE_SETTINGS):
                raise ValueError(f"{source}: {model!r} has an unknown price kind {kind!r}")
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{source}: {model!r} {kind} must be a number >= 0")
        merged[model] = {**merged.get(model, {}), **{k: float(v) for k, v in entry.items()}}
    return merged
