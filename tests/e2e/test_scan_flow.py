"""End to end: a real git repository, a real Celery worker on Redis, findings in PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from reviewer.models import Finding, FindingEvent, Project, Scan
from tests.conftest import GitRepo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCHEMAS_V1 = """\
from pydantic import BaseModel, validator


class Order(BaseModel):
    total: int

    class Config:
        extra = "forbid"

    @validator("total")
    def positive(cls, value):
        return value
"""

SCHEMAS_V2 = """\
from pydantic import BaseModel, ConfigDict, validator

# Orders as the API shows them.


class Order(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    total: int

    @validator("total")
    def positive(cls, value):
        return value
"""

SERVICE = """\
import time


async def refresh(session):
    time.sleep(2)
    return session.query(Order).all()
"""


def wait_for_scan(scan_id: int, timeout: float = 90) -> Scan:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        scan = Scan.objects.get(pk=scan_id)
        if not scan.is_active:
            return scan
        time.sleep(0.3)
    raise AssertionError(f"scan {scan_id} did not finish in {timeout}s")


def start_scan(client: Client, project: Project) -> Scan:
    response = client.post(reverse("dashboard:scan_start", args=[project.slug]))
    assert response.status_code == 200
    assert f'hx-trigger="every {settings.REVIEWDECK_POLL_MS}ms"' in response.content.decode()
    scan = project.scans.order_by("-id").first()
    assert scan is not None
    return wait_for_scan(scan.pk)


def test_a_worker_scans_a_repository_and_a_fix_closes_exactly_one_finding(
    celery_worker: object,
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    member_client: Client,
    project_factory: Callable[..., Project],
) -> None:
    repo = make_repo("shop")
    repo.commit({"app/schemas.py": SCHEMAS_V1, "app/service.py": SERVICE}, "first")
    project = project_factory(name="shop", repo_url=str(repo.path))

    first = start_scan(member_client, project)
    assert first.status == Scan.Status.SUCCEEDED, first.error
    assert first.commit_sha == repo.git("rev-parse", "HEAD")
    found = {
        (f.rule_id, f.path, f.line, f.get_severity_display())
        for f in Finding.objects.filter(project=project)
    }
    assert found == {
        ("PD001", "app/schemas.py", 7, "Suggestion"),
        ("PD003", "app/schemas.py", 10, "Suggestion"),
        ("AS001", "app/service.py", 5, "Critical"),
        ("SA001", "app/service.py", 6, "Suggestion"),
    }
    # The first scan of a project is its baseline: what it finds is not "new".
    assert first.summary.new_count == 0 and first.summary.open_critical == 1

    # The fix removes the Config class and shifts the validator down by a comment.
    repo.commit({"app/schemas.py": SCHEMAS_V2}, "use ConfigDict")
    second = start_scan(member_client, project)
    assert second.status == Scan.Status.SUCCEEDED, second.error
    fixed = Finding.objects.get(project=project, status=Finding.Status.FIXED)
    assert fixed.rule_id == "PD001" and fixed.fixed_in_scan == second
    still_open = Finding.objects.filter(project=project, status=Finding.Status.OPEN)
    assert {f.rule_id for f in still_open} == {"PD003", "AS001", "SA001"}
    validator = still_open.get(rule_id="PD003")
    assert validator.line == 11 and validator.first_seen_scan == first  # same finding, moved
    assert second.summary.new_count == 0 and second.summary.fixed_count == 1
    assert FindingEvent.objects.filter(scan=second, kind="fixed").count() == 1

    page = member_client.get(project.get_absolute_url()).content.decode()
    assert "AS001" in page and "PD001" not in page


def test_a_false_positive_stays_one_when_the_finding_comes_back(
    celery_worker: object,
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    member_client: Client,
    project_factory: Callable[..., Project],
) -> None:
    repo = make_repo("svc")
    repo.commit({"app/service.py": SERVICE}, "first")
    project = project_factory(name="svc", repo_url=str(repo.path))
    assert start_scan(member_client, project).status == Scan.Status.SUCCEEDED
    finding = Finding.objects.get(project=project, rule_id="AS001")
    Finding.objects.filter(pk=finding.pk).update(triage=Finding.Triage.FALSE_POSITIVE)

    repo.commit({"app/service.py": SERVICE.replace("    time.sleep(2)\n", "")}, "remove")
    assert start_scan(member_client, project).status == Scan.Status.SUCCEEDED
    finding.refresh_from_db()
    assert finding.status == Finding.Status.FIXED

    repo.commit({"app/service.py": "# back again\n" + SERVICE}, "again")
    third = start_scan(member_client, project)
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN and finding.reopen_count == 1
    assert finding.triage == Finding.Triage.FALSE_POSITIVE
    assert FindingEvent.objects.filter(scan=third, finding=finding, kind="reopened").exists()
    assert Finding.objects.filter(project=project, rule_id="AS001").count() == 1


def test_an_unknown_branch_fails_the_scan_with_a_clear_error_on_the_page(
    celery_worker: object,
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    member_client: Client,
    project_factory: Callable[..., Project],
) -> None:
    repo = make_repo("br")
    repo.commit({"a.py": "x = 1\n"})
    project = project_factory(name="br", repo_url=str(repo.path), branch="no-such-branch")
    scan = start_scan(member_client, project)
    assert scan.status == Scan.Status.FAILED
    assert "no-such-branch" in scan.error
    page = member_client.get(project.get_absolute_url())
    assert page.status_code == 200
    assert "no-such-branch" in page.content.decode()


ROUTES = """\
import time


async def refresh(session):
    time.sleep(2)
    try:
        return session.get(1)
    except:
        return None
"""


@pytest.mark.ruff
def test_a_scan_reports_ruffs_checklist_items_next_to_the_native_rules(
    celery_worker: object,
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    member_client: Client,
    project_factory: Callable[..., Project],
) -> None:
    repo = make_repo("routes")
    repo.commit({"app/routes.py": ROUTES}, "first")
    project = project_factory(name="routes", repo_url=str(repo.path))

    scan = start_scan(member_client, project)
    assert scan.status == Scan.Status.SUCCEEDED, scan.error
    found = {(f.rule_id, f.line): f for f in Finding.objects.filter(project=project)}
    # ruff's E722 is checklist item CQ001, kept under its own id with our severity.
    bare_except = found[("ruff:E722", 8)]
    assert bare_except.get_severity_display() == "Important" and "[CQ001]" in bare_except.message
    # ruff's ASYNC251 says what AS001 says on line 5: the native finding alone is kept.
    assert ("AS001", 5) in found and not [k for k in found if k[1] == 5 and k[0] != "AS001"]
    assert all(rule == "AS001" or rule.startswith("ruff:") for rule, _ in found)
