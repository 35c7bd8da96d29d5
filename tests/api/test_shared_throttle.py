"""The API's per-token budget is one budget however many web processes serve it: two real
gunicorn processes, one token, requests sent to each in turn, for each cache backend."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache

from dashboard import tokens
from dashboard.api.rate_limit import parse_rate, spend
from tests.processes import current_database_url, product_env, web_process

pytestmark = pytest.mark.django_db(transaction=True)


def status(base: str, token: str) -> int:
    request = urllib.request.Request(
        base + "/api/v1/projects", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def redis_url(db: int) -> str:
    broker = os.environ["CELERY_BROKER_URL"]  # the session's throwaway Redis
    assert broker.startswith("redis://")
    return broker.rsplit("/", 1)[0] + f"/{db}"


@pytest.mark.parametrize(
    ("cache", "shared"),
    [("redis", True), ("file", True), ("db", True), ("locmem", False)],
)
def test_two_web_processes_spend_one_budget(
    tmp_path: Path, member: User, cache: str, shared: bool
) -> None:
    token = tokens.issue(member, "ci")[1]
    other = tokens.issue(member, "other")[1]
    url = redis_url(3) if cache == "redis" else cache
    common = {
        "DATABASE_URL": current_database_url(),
        "REVIEWDECK_CACHE_URL": url,
        "REVIEWDECK_API_RATE": "4/m",
    }
    # The file cache lives in the data folder: both processes get the same one (as under
    # `serve`); with Redis or the database, each its own, so only the cache is shared.
    same = cache in ("file", "locmem")
    env_a = product_env(**common, REVIEWDECK_DATA_DIR=str(tmp_path / "data"))
    env_b = product_env(**common, REVIEWDECK_DATA_DIR=str(tmp_path / ("data" if same else "b")))
    with (
        web_process(env_a, tmp_path / "a.log") as first,
        web_process(env_b, tmp_path / "b.log") as second,
    ):
        sent = [status(base, token) for base in (first, second, first, second, first, second)]
        if shared:
            assert sent == [200, 200, 200, 200, 429, 429]
        else:  # the control: a per-process cache gives each process its own budget
            assert sent == [200] * 6
        assert status(second, other) == 200  # another token has its own budget


@pytest.mark.django_db
def test_the_window_slides_across_its_boundary() -> None:
    cache.clear()
    assert parse_rate("600/m") == (600, 60) and parse_rate("100/5m") == (100, 300)
    with pytest.raises(ValueError, match="not a rate"):
        parse_rate("lots")
    start = 6000.0  # a window boundary (a multiple of 60)
    assert [spend("k", 3, 60, now=start + 50) for _ in range(3)] == [None] * 3
    assert spend("k", 3, 60, now=start + 50) == 10.0  # wait for the window's end
    # Just after the boundary the previous window still weighs almost fully...
    assert spend("k", 3, 60, now=start + 61) is not None
    # ...and is forgotten as the new window fills up.
    assert spend("k", 3, 60, now=start + 119) is None
    assert spend("other", 3, 60, now=start + 50) is None
