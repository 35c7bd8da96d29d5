"""The finding page shows the code stored at scan time: no worker clone is read, so a
web server without clones (or a deleted work folder) still renders it; findings recorded
before excerpts were stored say so and show the flagged line."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from reviewer.models import Finding, Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo
from tests.factories import make_findings

pytestmark = pytest.mark.django_db

BODY = (
    "import time\n"
    "\n"
    "# <b>not markup</b> above the handler\n"
    "async def handler():\n"
    "    time.sleep(1)\n"
    "    return 'after the flagged line'\n"
)


def scan_now(project: Project) -> Scan:
    scan, _ = request_scan(project, Scan.Trigger.CLI)
    run_scan(scan.pk)
    scan.refresh_from_db()
    assert scan.status == Scan.Status.SUCCEEDED, scan.error
    return scan


def test_the_finding_page_renders_its_code_with_the_work_folder_deleted(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    member_client: Client,
) -> None:
    repo = make_repo("r")
    repo.commit({"app.py": BODY})
    project = project_factory(repo_url=str(repo.path))
    scan_now(project)
    finding = Finding.objects.get(project=project, rule_id="AS001")
    assert finding.line == 5 and finding.excerpt_start == 1

    shutil.rmtree(workdir)  # the worker's clone and everything else under it
    shutil.rmtree(repo.path)  # and the origin: nothing on disk holds the code now
    page = member_client.get(finding.get_absolute_url()).content.decode()

    assert "after the flagged line" in page and "handler" in page  # lines around it
    assert 'class="hll"' in page  # the flagged line is highlighted
    assert "&lt;b&gt;not markup&lt;/b&gt;" in page and "<b>not markup</b>" not in page
    assert "Code not stored" not in page


def test_a_finding_recorded_before_excerpts_were_stored_shows_its_line_and_says_so(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    (finding,) = make_findings(project, 1, rule_id="AS001", path="app.py")
    Finding.objects.filter(pk=finding.pk).update(excerpt_start=0, excerpt="", snippet="x = 1")
    response = member_client.get(finding.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Code not stored for this scan" in page and "x" in page


def test_a_rescan_fills_the_code_of_findings_recorded_before(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    member_client: Client,
) -> None:
    repo = make_repo("r")
    repo.commit({"app.py": BODY})
    project = project_factory(repo_url=str(repo.path))
    scan_now(project)
    Finding.objects.filter(project=project).update(excerpt_start=0, excerpt="")  # as migrated
    repo.commit({"NOTES.txt": "unrelated\n"})
    scan_now(project)
    finding = Finding.objects.get(project=project, rule_id="AS001")
    assert finding.excerpt_start == 1 and "after the flagged line" in finding.excerpt
    page = member_client.get(finding.get_absolute_url()).content.decode()
    assert "Code not stored" not in page
