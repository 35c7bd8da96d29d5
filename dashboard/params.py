"""Request parameters read strictly: a malformed one is a clear 400, never a 500.

``id_param`` accepts ASCII digits within a database id's range only (``"²".isdigit()`` is
True and a 30-digit id overflows SQLite). ``BadInputMiddleware`` answers 400 for a NUL
character anywhere in the query string or a form field (PostgreSQL refuses to store or
compare text holding one) and for a :class:`BadParameterError` raised by a view.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict

from dashboard.views.errors import render_error

MAX_ID = 2**63 - 1  # the largest BigAutoField value, on PostgreSQL and SQLite alike
_DIGITS = re.compile(r"[0-9]{1,19}")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class BadParameterError(ValueError):
    """A request parameter that is not what the view accepts; the message is shown."""


def id_param(raw: str, name: str = "id") -> int | None:
    """A database id from a parameter: None when empty, 400 when malformed."""
    raw = raw.strip()
    if not raw:
        return None
    if not _DIGITS.fullmatch(raw) or int(raw) > MAX_ID:
        raise BadParameterError(f"{name} must be a whole number.")
    return int(raw)


def id_list(values: list[str], name: str = "id") -> list[int]:
    return [n for n in (id_param(v, name) for v in values) if n is not None]


def _has_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


class BadInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request.GET) or (
            request.method == "POST"
            and request.content_type in _FORM_TYPES
            and _has_nul(request.POST)
        ):
            return render_error(request, 400, "Parameters may not contain NUL characters.")
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, BadParameterError):
            return render_error(request, 400, str(exception))
        return None
