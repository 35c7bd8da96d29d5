"""Findings keep the code around them (pages never read a worker's clone), and the
findings table leaves room on each page so that rewriting a moved finding is a HOT
update (no new index entries: the trigram indexes make those expensive); for that,
``last_seen_scan`` (rewritten with every change) is no longer indexed.

Findings recorded before keep ``excerpt_start = 0``: their page says the code was not
stored, until a scan sees them again (the excerpt then differs, so it is written once).
``fillfactor`` applies to pages written from now on; ``VACUUM FULL reviewer_finding``
(or ``pg_repack``) rewrites the existing ones when convenient.
"""

import django.db.models.deletion
from django.db import migrations, models

FILLFACTOR = 50


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE reviewer_finding SET (fillfactor = {FILLFACTOR})")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE reviewer_finding RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("reviewer", "0017_database_cache_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="excerpt",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="finding",
            name="excerpt_start",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="finding",
            name="last_seen_scan",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="reviewer.scan",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
