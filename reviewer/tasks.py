"""Celery tasks: thin wrappers that take ids and call domain functions."""

from __future__ import annotations

from celery import shared_task

from reviewer.scanning import run_scan


@shared_task(name="reviewer.scan_project", acks_late=True)
def scan_project(scan_id: int) -> str:
    """Run a queued scan. Safe to deliver twice: only a queued scan is claimed."""
    scan = run_scan(scan_id)
    return scan.status if scan else "skipped"
