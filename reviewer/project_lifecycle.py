"""Removing a project: its schedule, its clone and its rows (scans, findings, summaries,
patches, webhook deliveries go with it)."""

from __future__ import annotations

import shutil

from django.db import transaction

from reviewer import schedules
from reviewer.models import Project


def delete_project(project: Project) -> str:
    """Delete the project and everything recorded about it; returns its name."""
    name = project.name
    checkout = project.checkout_dir
    with transaction.atomic():
        schedules.set_schedule(project, schedules.Schedule("off"))
        project.delete()
    shutil.rmtree(checkout, ignore_errors=True)
    return name
