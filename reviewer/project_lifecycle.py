"""Removing a project: its schedule, its clone and its rows (scans, findings, summaries,
patches, webhook deliveries go with it)."""

from __future__ import annotations

import shutil

from django.db import transaction

from reviewer import checkouts, schedules
from reviewer.models import Project


def delete_project(project: Project) -> str:
    """Delete the project and everything recorded about it; returns its name."""
    name = project.name
    caches = [project.checkout_dir, checkouts.trees_root(project)]  # this machine's
    with transaction.atomic():
        schedules.set_schedule(project, schedules.Schedule("off"))
        project.delete()
    for cache in caches:
        shutil.rmtree(cache, ignore_errors=True)
    return name
