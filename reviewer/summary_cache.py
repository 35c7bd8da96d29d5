"""A cache for pages computed from the per-scan summaries only (trends across projects,
the migration-debt matrix).

Such a page depends on nothing but the summaries of the projects it shows and its own
parameters (range, date, the current week), so it is cached under a key made of those:
the project ids and their summaries' count and highest id. A new scan or a backfill makes
a new key, and so does triage (it recounts the latest summaries, see
findings.summaries.refresh_latest_counts). Django's cache is used (per process unless a
shared backend is configured); a cold or unavailable cache only means computing again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Collection

from django.core.cache import cache
from django.db.models import Count, F, Max, Sum

from reviewer.models import ScanSummary

CACHE_SECONDS = 3600
logger = logging.getLogger(__name__)


def summaries_key(name: str, project_ids: Collection[int], *parts: object) -> str:
    """The cache key of page ``name`` for these projects' current summaries (one aggregate
    query) and ``parts``."""
    ids = sorted(project_ids)
    # Triage rewrites the latest summaries' counts in place: their sums are in the key too.
    stamp = ScanSummary.objects.filter(project_id__in=ids).aggregate(
        n=Count("id"),
        top=Max("id"),
        open=Sum(F("open_critical") + F("open_important") + F("open_suggestion")),
        debt=Sum("debt_minutes"),
    )
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:32]
    extra = ":".join(map(str, parts))
    counted = f"{stamp['n']}:{stamp['top']}:{stamp['open']}:{stamp['debt']}"
    return f"summaries:{name}:{digest}:{counted}:{extra}"


def cached[T](key: str, compute: Callable[[], T], kind: type[T]) -> T:
    """``compute()`` unless the cache holds a ``kind`` under ``key``."""
    try:
        found = cache.get(key)
    except Exception:  # a broken cache backend must not break the page
        logger.warning("cache unavailable; computing %s", key.split(":", 2)[1], exc_info=True)
        found = None
    if isinstance(found, kind):
        return found
    value = compute()
    try:
        cache.set(key, value, CACHE_SECONDS)
    except Exception:
        logger.warning("cache unavailable; not storing %s", key.split(":", 2)[1], exc_info=True)
    return value
