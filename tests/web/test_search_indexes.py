"""The project page's text search is backed by trigram indexes on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client

from reviewer.models import Project
from tests.factories import make_findings

pytestmark = pytest.mark.django_db


def test_search_indexes_exist_and_search_matches_inside_words(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'reviewer_finding' "
            "AND indexname LIKE 'finding_search_%' ORDER BY indexname"
        )
        names = [row[0] for row in cursor.fetchall()]
    assert names == [
        "finding_search_message",
        "finding_search_path",
        "finding_search_rule",
        "finding_search_title",
    ]
    project = project_factory()
    make_findings(project, 2, path="app/billing/invoices.py")
    make_findings(project, 3, path="app/db.py")
    page = member_client.get(project.get_absolute_url(), {"q": "LLING/inv"}).content.decode()
    assert page.count('class="finding"') == 2
