"""The project page at 1M findings: the latest summary stores the page's facet groups
(read instead of grouping the project's findings when no non-facet filter is set), and
the path filter's facets read a pattern-ops index of the open findings' paths with the
facet columns included (an index-only scan instead of a scan of the table)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviewer", "0022_schedule_queue_and_offsets"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="scansummary",
            name="facet_groups",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["project", "path"],
                include=("severity", "category", "rule_id", "context", "triage", "low_confidence"),
                name="finding_open_by_path",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ),
    ]
