"""``field__any``: one array parameter on PostgreSQL, a plain IN list elsewhere."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

from reviewer.models import Finding, Project
from tests.factories import make_findings

pytestmark = pytest.mark.django_db


def test_any_selects_what_in_selects_with_a_short_sql_text(
    project_factory: Callable[..., Project],
) -> None:
    projects = [project_factory(name=f"p{i}") for i in range(3)]
    for project in projects:
        make_findings(project, 2)
    wanted = [projects[0].pk, projects[2].pk, *range(10_000, 10_400)]
    by_any = Finding.objects.filter(project_id__any=wanted)
    by_in = Finding.objects.filter(project_id__in=wanted)
    assert sorted(by_any.values_list("pk", flat=True)) == sorted(by_in.values_list("pk", flat=True))
    assert by_any.count() == 4
    sql, params = by_any.query.get_compiler(connection=connection).as_sql()
    in_sql, _ = by_in.query.get_compiler(connection=connection).as_sql()
    assert "= ANY(%s)" in sql and list(params[-1]) == wanted
    assert len(in_sql) - len(sql) > 1000  # 402 placeholders fewer in the text
    assert Finding.objects.filter(project_id__any=[]).count() == 0
    # Foreign keys named without _id take it too.
    assert Finding.objects.filter(project__any=[projects[1].pk]).count() == 2


def test_any_is_an_in_list_on_sqlite() -> None:
    sqlite = SQLiteWrapper({"NAME": ":memory:", "OPTIONS": {}, "TIME_ZONE": None})
    query = Finding.objects.filter(project_id__any=[3, 5]).query
    sql, params = query.get_compiler(connection=sqlite).as_sql()
    assert '"project_id" IN (%s, %s)' in sql and list(params) == [3, 5]
    empty = Finding.objects.filter(project_id__any=[]).query
    assert "1 = 0" in empty.get_compiler(connection=sqlite).as_sql()[0]
