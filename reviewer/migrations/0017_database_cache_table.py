"""The table of Django's database cache (``REVIEWDECK_CACHE_URL=db``), made by ``migrate``
whatever the cache setting is at the time, so switching to it needs no extra command."""

from typing import Any

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

from dashboard.env import CACHE_TABLE


def create(apps: Any, schema_editor: Any) -> None:
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop(apps: Any, schema_editor: Any) -> None:
    if CACHE_TABLE in schema_editor.connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("reviewer", "0016_meeting_decisions")]
    operations = [migrations.RunPython(create, drop)]
