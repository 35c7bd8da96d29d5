"""The one way a message reaches the broker; only the task modules use it.

The database is the record of work, not the broker: callers create or mark their rows
first, then send. A dead broker raises one of several kombu types; ``send`` turns them
all into ``False`` (logged without the message's arguments' contents) so each caller
decides what a lost send means (a scan failed, a Claude part failed, a poll collected
later by the next one).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task

logger = logging.getLogger(__name__)


def send(
    task: Task[Any, Any], *args: object, countdown: float | None = None, queue: str = ""
) -> bool:
    """Queue ``task(*args)`` (on ``queue``, else its route) without retrying a dead
    broker; False when it is down."""
    options: dict[str, Any] = {"retry": False}
    if countdown is not None:
        options["countdown"] = countdown
    if queue:
        options["queue"] = queue
    try:
        task.apply_async(args=args, **options)
    except Exception as exc:  # kombu raises several types for a dead broker
        logger.warning("could not send %s: %s", task.name, type(exc).__name__)
        return False
    return True
