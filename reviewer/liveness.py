"""When a worker counts as gone: its heartbeat is a few beats old. Shared by the scan
sweep (``reviewer.scanning``) and the sweep of Claude parts (``reviewer.agents.recovery``)."""

from __future__ import annotations

from django.conf import settings

#: The reason a scan (or Claude part) whose heartbeats stopped is failed with.
WORKER_GONE = "The worker stopped responding"


def dead_after_seconds() -> float:
    """How old a heartbeat may get before its work is declared dead: a few missed beats,
    never more than ``REVIEWDECK_SCAN_STALE_SECONDS``."""
    beats = settings.REVIEWDECK_MISSED_BEATS * settings.REVIEWDECK_HEARTBEAT_SECONDS
    return max(1, min(settings.REVIEWDECK_SCAN_STALE_SECONDS, beats))
