"""Opaque keyset cursors and page sizes for the API's lists."""

from __future__ import annotations

import base64
import binascii

from ninja.errors import HttpError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def page_size(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise HttpError(400, f"limit must be between 1 and {MAX_LIMIT}.")
    return limit


def encode(*key: int) -> str:
    return base64.urlsafe_b64encode(".".join(map(str, key)).encode()).decode().rstrip("=")


def decode(cursor: str | None, parts: int) -> tuple[int, ...] | None:
    """The key in ``cursor`` (``parts`` integers), None for no cursor; 400 when damaged."""
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        key = tuple(int(v) for v in text.split("."))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise HttpError(400, "cursor is not one this API returned.") from None
    if len(key) != parts or any(v < 0 for v in key):
        raise HttpError(400, "cursor is not one this API returned.")
    return key
