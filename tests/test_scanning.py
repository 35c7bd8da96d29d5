"""Scans run in-process (no worker): bad input ends in a clear state, never a crash."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from reviewer.models import Finding, Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo

pytestmark = pytest.mark.django_db


def scan_now(project: Project) -> Scan:
    scan, created = request_scan(project, Scan.Trigger.CLI)
    assert created
    run_scan(scan.pk)
    scan.refresh_from_db()
    return scan


def test_an_unparsable_file_becomes_a_parse_finding(
    workdir: Path, make_repo: Callable[[str], GitRepo], project_factory: Callable[..., Project]
) -> None:
    repo = make_repo("r")
    repo.commit(
        {
            "ok.py": "import time\n\nasync def f():\n    time.sleep(1)\n",
            "broken.py": "def f(:\n    pass\n",
        }
    )
    project = project_factory(repo_url=str(repo.path))
    scan = scan_now(project)
    assert scan.status == Scan.Status.SUCCEEDED
    rules = set(Finding.objects.filter(project=project).values_list("rule_id", "path", "line"))
    assert ("PARSE001", "broken.py", 1) in rules
    assert ("AS001", "ok.py", 4) in rules


def test_an_empty_repository_fails_with_a_clear_reason(
    workdir: Path, make_repo: Callable[[str], GitRepo], project_factory: Callable[..., Project]
) -> None:
    repo = make_repo("empty")
    project = project_factory(repo_url=str(repo.path))
    scan = scan_now(project)
    assert scan.status == Scan.Status.FAILED
    assert "empty" in scan.error.lower()
    project.refresh_from_db()
    assert project.clone_state == Project.CloneState.ERROR and project.last_error


def test_an_unreachable_host_fails_the_scan_not_the_worker(
    workdir: Path, project_factory: Callable[..., Project]
) -> None:
    project = project_factory(repo_url="https://127.0.0.1:9/nothing.git")
    scan = scan_now(project)
    assert scan.status == Scan.Status.FAILED
    assert scan.error and "Traceback" not in scan.error


def test_a_second_request_while_one_is_queued_returns_the_same_scan(
    project_factory: Callable[..., Project],
) -> None:
    project = project_factory()
    first, created = request_scan(project)
    again, created_again = request_scan(project)
    assert created and not created_again and again.pk == first.pk


def test_a_scan_whose_worker_died_is_expired_and_a_new_one_can_start(
    project_factory: Callable[..., Project], settings: object
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    project = project_factory()
    dead = Scan.objects.create(
        project=project,
        status=Scan.Status.RUNNING,
        heartbeat_at=timezone.now() - timedelta(hours=2),
    )
    scan, created = request_scan(project)
    dead.refresh_from_db()
    assert created and scan.pk != dead.pk
    assert dead.status == Scan.Status.FAILED and "stopped responding" in dead.error


def test_add_project_and_scan_commands(
    workdir: Path, make_repo: Callable[[str], GitRepo], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo("cli")
    repo.commit(
        {
            "m.py": "from pydantic import BaseModel\n\nclass A(BaseModel):\n"
            "    class Config:\n        frozen = True\n"
        }
    )
    call_command("add_project", "cli-app", str(repo.path))
    call_command("scan", "cli-app")
    out = capsys.readouterr().out
    assert "1 open" in out and "0 new" in out  # the first scan is the baseline
    repo.commit({"n.py": "import time\n\nasync def f():\n    time.sleep(1)\n"})
    call_command("scan", "cli-app")
    again = capsys.readouterr().out
    assert "2 open" in again and "1 new" in again
    with pytest.raises(CommandError, match="not allowed"):
        call_command("add_project", "evil", "ext::sh -c id")
    with pytest.raises(CommandError, match="No project"):
        call_command("scan", "missing")


def test_lifecycle_fixed_reopened_and_unreadable_files_prove_nothing(
    workdir: Path, make_repo: Callable[[str], GitRepo], project_factory: Callable[..., Project]
) -> None:
    sleepy = "import time\n\nasync def handler():\n    time.sleep(1)\n"
    repo = make_repo("r")
    repo.commit({"a.py": sleepy, "b.py": sleepy.replace("handler", "other")})
    project = project_factory(repo_url=str(repo.path))
    scan_now(project)
    a = Finding.objects.get(project=project, path="a.py", rule_id="AS001")
    b = Finding.objects.get(project=project, path="b.py", rule_id="AS001")
    Finding.objects.filter(pk=a.pk).update(triage=Finding.Triage.ACKNOWLEDGED)

    # a.py is fixed; b.py cannot be parsed this time: its finding is not "fixed".
    repo.commit({"a.py": "x = 1\n", "b.py": "def broken(:\n"})
    second = scan_now(project)
    assert second.status == Scan.Status.SUCCEEDED
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == Finding.Status.FIXED and a.fixed_in_scan == second
    assert b.status == Finding.Status.OPEN and b.fixed_in_scan is None
    assert second.summary.fixed_count == 1

    # The problem comes back: the same finding is reopened, its triage and history kept.
    repo.commit({"a.py": sleepy, "b.py": sleepy.replace("handler", "other")})
    third = scan_now(project)
    a.refresh_from_db()
    assert a.status == Finding.Status.OPEN and a.reopen_count == 1 and a.fixed_in_scan is None
    assert a.triage == Finding.Triage.ACKNOWLEDGED and a.first_seen_scan_id != third.pk
    assert list(a.events.values_list("kind", flat=True)) == ["created", "fixed", "reopened"]
    assert third.summary.reopened_count == 1 and third.summary.new_count == 0
    assert Finding.objects.filter(project=project, rule_id="AS001").count() == 2
