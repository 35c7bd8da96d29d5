"""The built-in expert takes its seed's name, ``python-backend-expert-enhanced``: findings
that recorded the old name and projects that chose it follow the rename."""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

OLD = "python-backend-expert"
NEW = "python-backend-expert-enhanced"


def rename(old: str, new: str):  # type: ignore[no-untyped-def]
    def run(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        finding = apps.get_model("reviewer", "Finding")
        project = apps.get_model("reviewer", "Project")
        finding.objects.filter(agent=old).update(agent=new)
        for row in project.objects.exclude(agents=[]).only("pk", "agents"):
            if isinstance(row.agents, list) and old in row.agents:
                row.agents = [new if name == old else name for name in row.agents]
                row.save(update_fields=["agents"])

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0002_agent_team"),
        ("reviewer", "0013_excluded_label"),
    ]

    operations = [migrations.RunPython(rename(OLD, NEW), rename(NEW, OLD))]
