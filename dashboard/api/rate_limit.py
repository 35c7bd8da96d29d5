"""Request budgets counted in Django's cache, so every web process spends the same one.

A sliding window made of two fixed ones: the requests of the current window plus the
previous window's count weighted by how much of it still overlaps the last ``period``
seconds. Each request is one atomic increment on Redis (``INCR``); the database and file
caches increment by read and write, which can miss a request that races another one, but
still share one budget between processes.
"""

from __future__ import annotations

import time

from django.core.cache import cache

_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"600/m"`` -> (600, 60); ``"100/5m"`` -> (100, 300). Units: s, m, h, d."""
    count, _, per = rate.strip().partition("/")
    digits = per.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = per[len(digits) :]
    if not count.isdigit() or unit not in _UNITS or not (digits == "" or digits.isdigit()):
        raise ValueError(f"{rate!r} is not a rate such as 600/m")
    return int(count), int(digits or 1) * _UNITS[unit]


def spend(key: str, limit: int, period: int, now: float | None = None) -> float | None:
    """Count one request under ``key``: None when it is within ``limit`` per ``period``
    seconds, else the seconds to wait."""
    now = time.time() if now is None else now
    window = int(now // period)
    current = f"{key}:{window}"
    cache.add(current, 0, timeout=2 * period + 1)
    try:
        count = cache.incr(current)
    except ValueError:  # expired between add and incr
        cache.set(current, 1, timeout=2 * period + 1)
        count = 1
    elapsed = now - window * period
    previous = cache.get(f"{key}:{window - 1}", 0)
    estimate = previous * (1 - elapsed / period) + count
    if estimate <= limit:
        return None
    return max(1.0, period - elapsed)
