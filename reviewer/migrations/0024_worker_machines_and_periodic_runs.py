"""Machines whose scan workers are up (routing of scans by project, optional) and the
last run of each beat-driven job (a second beat's copy of a tick does nothing)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reviewer", "0023_scale_facets")]

    operations = [
        migrations.CreateModel(
            name="WorkerMachine",
            fields=[
                ("name", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("seen_at", models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name="PeriodicRun",
            fields=[
                ("name", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("ran_at", models.DateTimeField()),
            ],
        ),
    ]
