"""The Meeting model moved from dashboard/ to reviewer/: a meeting saved before the move is
still there after it, on real PostgreSQL, with its id, and new ids follow it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from reviewer.models import Meeting

BEFORE = [("dashboard", "0003_api_tokens"), ("reviewer", "0013_excluded_label")]


@pytest.mark.django_db(transaction=True)
def test_an_existing_meeting_survives_the_move() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    assert "dashboard_meeting" in connection.introspection.table_names()
    group = old_apps.get_model("auth", "Group").objects.create(name="backend")
    since = timezone.now() - timedelta(days=7)
    old = old_apps.get_model("dashboard", "Meeting").objects.create(
        team=group, title="backend review", since=since, notes="kept", closed=True
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    tables = connection.introspection.table_names()
    assert "reviewer_meeting" in tables
    assert "dashboard_meeting" not in tables
    moved = Meeting.objects.get(pk=old.pk)
    assert (moved.title, moved.notes, moved.closed, moved.team_id) == (
        "backend review",
        "kept",
        True,
        group.pk,
    )
    assert moved.since == since
    newer = Meeting.objects.create(team_id=group.pk, title="next", since=timezone.now())
    assert newer.pk > old.pk
