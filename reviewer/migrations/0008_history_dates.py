from typing import Any

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def date_backfills_at_their_commit(apps: Any, schema_editor: Any) -> None:
    """Backfilled scans already recorded their commit date on their summary: give it to
    the scan too, so ages and "first seen" dates of old history are right."""
    scan_model = apps.get_model("reviewer", "Scan")
    summary_model = apps.get_model("reviewer", "ScanSummary")
    scan_model.objects.filter(trigger="backfill", summary__isnull=False).update(
        created_at=Subquery(
            summary_model.objects.filter(scan_id=OuterRef("pk")).values("created_at")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reviewer", "0007_quality_profiles_and_context"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="backfill_note",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="scan",
            name="is_baseline",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(date_backfills_at_their_commit, migrations.RunPython.noop),
    ]
