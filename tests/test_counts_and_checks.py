"""Counts follow triage at once, and scheduled "no change" checks neither replace the
last real result nor fill the scan history (issue 12, defects 8 and 9). Real git
repositories, real scans, in the README's default layout."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from reviewer.models import Finding, Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo

pytestmark = pytest.mark.django_db

BLOCKING = "import time\n\n\nasync def handler_{n}():\n    time.sleep(1)\n"


def scan(project: Project, trigger: str) -> Scan:
    found, created = request_scan(project, trigger)
    assert created
    run_scan(found.pk)
    found.refresh_from_db()
    return found


@pytest.fixture
def scanned(
    readme_layout: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
) -> tuple[GitRepo, Project, Scan]:
    repo = make_repo("shop")
    repo.commit({f"app/h{n}.py": BLOCKING.format(n=n) for n in range(5)})
    project = project_factory(repo_url=str(repo.path))
    first = scan(project, Scan.Trigger.MANUAL)
    assert first.status == Scan.Status.SUCCEEDED and first.summary.open_critical == 5
    return repo, project, first


def overview_critical(client: Client, project: Project) -> int:
    page = client.get(reverse("dashboard:projects")).content.decode()
    row = page.split(f'href="{project.get_absolute_url()}"')[1].split("</tr>")[0]
    found = re.search(r'sev-critical">(\d+)<', row)
    assert found is not None
    return int(found.group(1))


def test_counts_follow_triage_at_once_everywhere(
    scanned: tuple[GitRepo, Project, Scan], member_client: Client
) -> None:
    _, project, _ = scanned
    assert overview_critical(member_client, project) == 5
    trends = member_client.get(reverse("dashboard:trends")).content.decode()
    assert ">5<" in trends.split('id="movement"')[1]
    dismissed = list(Finding.objects.filter(project=project).order_by("pk")[:3])
    response = member_client.post(
        reverse("dashboard:bulk_triage", args=[project.slug]),
        {"finding": [str(f.pk) for f in dismissed], "action": "false_positive"},
    )
    assert response.status_code == 302
    # No scan in between: the overview, the project page and the trends agree at once.
    assert overview_critical(member_client, project) == 2
    page = member_client.get(project.get_absolute_url()).content.decode()
    assert re.search(r'id="facet-severity".*?data-value="critical" data-count="2"', page, re.S)
    trends = member_client.get(reverse("dashboard:trends")).content.decode()
    movement = trends.split('id="movement"')[1].split("</table>")[0]
    assert ">2<" in movement and ">5<" not in movement
    # Reopening the triage counts them again.
    member_client.post(
        reverse("dashboard:bulk_triage", args=[project.slug]),
        {"finding": [str(dismissed[0].pk)], "action": "reopen"},
    )
    assert overview_critical(member_client, project) == 3


def test_a_manual_scan_is_always_done_and_no_change_checks_fold(
    scanned: tuple[GitRepo, Project, Scan], member_client: Client
) -> None:
    _, project, first = scanned
    checks = [scan(project, Scan.Trigger.SCHEDULE) for _ in range(4)]
    assert {c.status for c in checks} == {Scan.Status.SKIPPED}
    project.refresh_from_db()
    assert project.last_scan == first  # the last real result
    overview = member_client.get(reverse("dashboard:projects")).content.decode()
    assert "Succeeded" in overview and "· checked" in overview
    page = member_client.get(project.get_absolute_url()).content.decode()
    assert f"scan #{first.pk}" in page and 'id="last-checked"' in page

    manual = scan(project, Scan.Trigger.MANUAL)  # same head: still done
    assert manual.status == Scan.Status.SUCCEEDED and manual.files_reviewed == 5
    project.refresh_from_db()
    assert project.last_scan == manual
    history = member_client.get(reverse("dashboard:scans", args=[project.slug])).content
    text = history.decode()
    assert text.count('class="scan-row no-change"') == 1
    assert "No change</span>, 4 times since" in text
    assert text.count('class="scan-row"') == 2
