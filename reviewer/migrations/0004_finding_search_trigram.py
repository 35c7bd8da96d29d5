"""Trigram indexes for the project page's text search (PostgreSQL only).

The search is ``title/message/path ILIKE %q%`` or ``rule_id = q`` (case-insensitive),
which Django writes as ``UPPER(col::text) LIKE UPPER(...)``. GIN trigram indexes on the
same expressions (and a btree on ``UPPER(rule_id)``) let PostgreSQL answer the OR with a
bitmap of the matching rows instead of reading every finding. SQLite (the embedded run)
skips this migration's SQL.
"""

from django.db import migrations

SEARCHED = ("title", "message", "path")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCHED:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS finding_search_{column} ON reviewer_finding "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS finding_search_rule ON reviewer_finding "
        "((UPPER(rule_id::text)))"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in (*SEARCHED, "rule"):
        schema_editor.execute(f"DROP INDEX IF EXISTS finding_search_{column}")


class Migration(migrations.Migration):
    dependencies = [("reviewer", "0003_visible_findings_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
