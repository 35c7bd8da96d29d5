"""Who calls the API: a personal token (``Authorization: Bearer rdk_...``) or the
browser's session (with Django's CSRF check on unsafe methods). Either way the request
then carries the user, so dashboard.access decides what they see, as for the pages.

Token checks never go through ``django.contrib.auth.authenticate``, so login throttling
(django-axes) neither counts nor blocks them; wrong tokens are limited per client
address instead (``REVIEWDECK_API_BAD_TOKENS_PER_MINUTE``; a token has 256 random bits).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import BaseThrottle

from dashboard import tokens
from dashboard.api.rate_limit import parse_rate, spend


def _client(request: HttpRequest) -> str:
    return hashlib.sha256(str(request.META.get("REMOTE_ADDR", "")).encode()).hexdigest()


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        failures_key = f"reviewdeck-api-bad-token:{_client(request)}"
        if cache.get(failures_key, 0) >= settings.REVIEWDECK_API_BAD_TOKENS_PER_MINUTE:
            raise HttpError(429, "Too many requests with a wrong token; wait a minute.")
        row = tokens.authenticate(token)
        if row is None:
            cache.add(failures_key, 0, timeout=60)
            try:
                cache.incr(failures_key)
            except ValueError:  # expired in between
                cache.set(failures_key, 1, timeout=60)
            return None
        request.user = row.user
        request.api_token = row  # type: ignore[attr-defined]
        return row.user


class BrowserSession(SessionAuth):
    """The logged-in browser; unsafe methods need the CSRF token like the pages."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None  # no session: 401, whatever the CSRF state (not 403)
        return super()._get_key(request)


class PerCallerThrottle(BaseThrottle):
    """``REVIEWDECK_API_RATE`` requests per token (or per browser user), counted in Django's
    cache (``REVIEWDECK_CACHE_URL``): every web process spends the same budget."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: HttpRequest) -> bool:
        limit, period = parse_rate(settings.REVIEWDECK_API_RATE)  # per request: may change
        self._wait = spend(self.cache_key(request), limit, period)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait

    def cache_key(self, request: HttpRequest) -> str:
        token = getattr(request, "api_token", None)
        if token is not None:
            ident = f"token:{token.pk}"
        elif getattr(request, "auth", None) is not None:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"anon:{_client(request)}"
        return f"reviewdeck-api:{ident}"
