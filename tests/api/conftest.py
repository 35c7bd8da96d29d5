"""A real HTTP client for the API against pytest-django's live server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache

from dashboard import tokens


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Http:
    """Requests over a real socket (urllib), as a CI job would send them."""

    def __init__(self, base: str) -> None:
        self.base = base

    def __call__(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: object = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=sent)
        # pytest-django's threaded live server has, twice in CI, reset the connection of the
        # first request of tests/gates after the fleet tests (whose worker processes stop
        # and restart), before any of our code ran (no server-side traceback, no log line).
        # A GET is idempotent, so it is sent once more, as urllib3's default retry policy
        # would; anything else, and a second reset, fail the test.
        for attempt in (1, 2):
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return Reply(response.status, dict(response.headers), response.read())
            except urllib.error.HTTPError as error:
                return Reply(error.code, dict(error.headers), error.read())
            except ConnectionResetError:
                if method != "GET" or attempt == 2:
                    raise
        raise AssertionError("unreachable")


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def http(live_server: Any) -> Http:
    return Http(live_server.url)


@pytest.fixture
def token_for() -> Callable[[User], str]:
    def make(user: User) -> str:
        return tokens.issue(user, "test")[1]

    return make
