"""The Meeting model moves from dashboard/ to reviewer/ (domain data lives in reviewer/).

The table and its rows stay: this app takes the model over in Django's state only (the
table is still ``dashboard_meeting``), then renames the table to ``reviewer_meeting``
(``ALTER TABLE ... RENAME``: rows, ids, the sequence and the index are kept).
dashboard's 0004 drops the model from dashboard's state, without touching the table.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviewer", "0013_excluded_label"),
        ("dashboard", "0003_api_tokens"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Meeting",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("title", models.CharField(max_length=200)),
                        (
                            "since",
                            models.DateTimeField(
                                help_text="Changes after this moment are reviewed"
                            ),
                        ),
                        ("started_at", models.DateTimeField(auto_now_add=True)),
                        ("notes", models.TextField(blank=True)),
                        ("decisions", models.TextField(blank=True)),
                        ("closed", models.BooleanField(default=False)),
                        (
                            "started_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "team",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="meetings",
                                to="auth.group",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-started_at", "-id"],
                        "db_table": "dashboard_meeting",
                        "indexes": [
                            models.Index(fields=["team", "-started_at"], name="meeting_team_recent")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="meeting", table=None),
    ]
