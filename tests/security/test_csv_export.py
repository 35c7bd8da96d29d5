"""CSV exports defuse formulas hidden behind leading whitespace."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from reviewer.models import Finding, Project
from tests.factories import make_findings

pytestmark = pytest.mark.django_db

TITLES = [" =cmd|' /C calc'!A0", "\t+1+1", "\n@SUM(A1)", "\u3000=1+1", "\uff1d1+1", "  plain title"]


def test_formulas_after_leading_whitespace_are_defused(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    for finding, title in zip(make_findings(project, len(TITLES)), TITLES, strict=True):
        Finding.objects.filter(pk=finding.pk).update(title=title, message=title)
    response = member_client.get(reverse("dashboard:export_csv", args=[project.slug]))
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(body)))
    titles = {row["title"] for row in rows}
    assert titles == {"'" + t for t in TITLES[:-1]} | {"  plain title"}
    assert {row["message"] for row in rows} == titles
