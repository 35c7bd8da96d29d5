"""Scheduled-scan ticks move to their own queue ("schedule") and interval schedules get
their stable per-project offset (reviewer/schedules.py), so projects added before this
release spread over their interval too."""

import hashlib
import json
from datetime import UTC, datetime

from django.db import migrations

PER = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def first_run(project_id, period, now):
    """reviewer.schedules.first_run as of this migration."""
    digest = hashlib.sha256(f"reviewdeck-schedule:{project_id}".encode()).digest()
    offset = int.from_bytes(digest[:8], "big") % period
    stamp = now.timestamp()
    start = stamp - stamp % period + offset
    if start <= stamp:
        start += period
    return datetime.fromtimestamp(start, UTC)


def forwards(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    now = datetime.now(UTC)
    for task in PeriodicTask.objects.filter(task="reviewer.scheduled_scan").select_related(
        "interval"
    ):
        task.queue = "schedule"
        if task.interval is not None:
            try:
                project_id = int(json.loads(task.args or "[]")[0])
            except (ValueError, IndexError, TypeError):
                project_id = task.pk
            period = max(1, task.interval.every * PER.get(task.interval.period, 60))
            task.start_time = first_run(project_id, period, now)
        task.save(update_fields=["queue", "start_time"])


def backwards(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task="reviewer.scheduled_scan").update(
        queue="scans", start_time=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reviewer", "0021_finding_open_facets"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
