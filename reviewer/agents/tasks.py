"""Celery tasks of the Claude part of a scan, and the only code that sends it to the broker.

Routed to the "claude" queue by CELERY_TASK_ROUTES ("reviewer.agents.*"). The review task
decides between a live run and a Message Batch; a submitted batch schedules its poll, and
a poll that finds the batch still processing schedules the next one.
"""

from __future__ import annotations

import time

from celery import shared_task
from django.conf import settings

from reviewer.agents.recovery import agents_heartbeat
from reviewer.agents.selection import mark_failed
from reviewer.broker import send
from reviewer.models import Scan


def queue_claude_review(scan: Scan) -> None:
    """Send the Claude part ``run_scan`` planned (its agents' parts are queued). Never
    raises: when the queue is down, the parts are marked failed and the rule findings
    stand."""
    if not any(part.get("status") == "queued" for part in (scan.agent_runs or {}).values()):
        return
    if not send(claude_review, scan.pk):
        mark_failed(scan, "The task queue is unavailable.")


def run_claude_review(scan_id: int) -> str:
    """Run the queued agents of a scan, live or as one batch (a scheduled scan of a
    project that uses batches); a submitted batch gets its poll scheduled."""
    started = time.monotonic()  # Celery's soft time limit counts from here, imports included
    # The Claude modules import the anthropic SDK (seconds): only the claude queue's
    # workers pay for it, never the web process or the scans queue, which import this
    # module to send the task.
    from reviewer.agents import batch, live, run

    prepared = run.prepare(scan_id, started)
    if isinstance(prepared, str):
        return prepared
    # A worker killed from here on stops beating: the recovery sweep fails its parts.
    with agents_heartbeat(scan_id):
        if prepared.scan.project.use_batches and prepared.scan.trigger == Scan.Trigger.SCHEDULE:
            outcome = batch.submit_batch(prepared)
        else:
            return live.review(prepared)
    if outcome == "batched":
        # Not sent: the next poll (or a beat-free redelivery) collects it later.
        send(claude_batch_poll, scan_id, countdown=settings.CLAUDE_BATCH_POLL_SECONDS)
    return outcome


@shared_task(name="reviewer.agents.claude_review", acks_late=True)
def claude_review(scan_id: int) -> str:
    """Run the queued agents of a scan. Safe to deliver twice: queued parts run, and parts
    whose worker died (no heartbeat) are taken up again; live ones are left alone."""
    return run_claude_review(scan_id)


@shared_task(name="reviewer.agents.claude_batch_poll", acks_late=True)
def claude_batch_poll(scan_id: int) -> str:
    """Collect a scan's Message Batch when it ended; otherwise look again later."""
    from reviewer.agents import batch  # the anthropic SDK: see run_claude_review

    outcome = batch.poll_batch(scan_id)
    if outcome == "waiting":
        send(claude_batch_poll, scan_id, countdown=settings.CLAUDE_BATCH_POLL_SECONDS)
    return outcome
