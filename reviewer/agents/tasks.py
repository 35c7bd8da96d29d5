"""Celery task of the Claude part of a scan.

Routed to the "claude" queue by CELERY_TASK_ROUTES ("reviewer.agents.*")."""

from __future__ import annotations

from celery import shared_task

from reviewer.agents.claude import run_claude_review


@shared_task(name="reviewer.agents.claude_review", acks_late=True)
def claude_review(scan_id: int) -> str:
    """Run the queued agents of a scan. Safe to deliver twice: only queued parts run."""
    return run_claude_review(scan_id)


@shared_task(name="reviewer.agents.claude_batch_poll", acks_late=True)
def claude_batch_poll(scan_id: int) -> str:
    """Collect a scan's Message Batch when it ended; otherwise look again later."""
    from django.conf import settings

    from reviewer.agents.batches import poll_batch

    outcome = poll_batch(scan_id)
    if outcome == "waiting":
        claude_batch_poll.apply_async(args=(scan_id,), countdown=settings.CLAUDE_BATCH_POLL_SECONDS)
    return outcome
