"""Malformed parameters get a clear 400 (or 404, or the form's own error), never a 500,
on PostgreSQL and on the embedded SQLite database."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.security.bad_input_probe import probe

ACCEPTED = {200, 400, 403, 404}  # 200: the page shows the filter form's error


def assert_no_server_errors(statuses: list[tuple[str, int]]) -> None:
    broken = [(request, status) for request, status in statuses if status not in ACCEPTED]
    assert broken == []
    assert sum(1 for _, status in statuses if status == 400) >= 12


@pytest.mark.django_db
def test_malformed_parameters_on_postgresql() -> None:
    assert_no_server_errors(probe())


def test_malformed_parameters_on_sqlite(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REVIEWDECK_TEST_SERVICES"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        REVIEWDECK_DATA_DIR=str(tmp_path),
        ALLOWED_HOSTS="testserver",
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.security.bad_input_probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    statuses = [(str(r), int(s)) for r, s in json.loads(done.stdout.splitlines()[-1])]
    assert_no_server_errors(statuses)


@pytest.mark.django_db
def test_another_projects_finding_is_no_paging_anchor(
    member_client: object, project_factory: object
) -> None:
    """`after=` with another team's finding id pages as if the id were unknown."""
    from django.contrib.auth.models import Group

    from reviewer.models import Severity
    from tests.factories import make_findings

    mine = project_factory(name="mine")  # type: ignore[operator]
    make_findings(mine, 3, severity=Severity.CRITICAL)
    theirs = project_factory(name="theirs", team=Group.objects.create(name="other"))  # type: ignore[operator]
    # Anchored on a less severe finding, every one of mine would come before it.
    secret = make_findings(theirs, 1, severity=Severity.SUGGESTION)[0]
    missing = secret.pk + 10_000
    pages = {
        anchor: re.findall(
            r"Legacy query \d+",
            member_client.get(f"/projects/mine/?after={anchor}").content.decode(),  # type: ignore[attr-defined]
        )
        for anchor in (secret.pk, missing)
    }
    assert pages[secret.pk] == pages[missing]
    assert "Legacy query 0" in pages[secret.pk]
