"""The quality gate, judged after real scans of a real git repository (in process)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from reviewer import gates
from reviewer.models import GateResult, Project, QualityGate, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo

pytestmark = pytest.mark.django_db

BLOCKING = "import time\n\n\nasync def tick() -> None:\n    time.sleep(1)\n"  # AS001 critical
CONFIG = "from pydantic import BaseSettings\n"  # PD005, Important (docs/severity.md)


def scan_now(project: Project) -> Scan:
    scan, created = request_scan(project, Scan.Trigger.CLI)
    assert created
    run_scan(scan.pk)
    scan.refresh_from_db()
    return scan


def test_gate_passes_fails_and_follows_its_baseline(
    workdir: Path, make_repo: Callable[[str], GitRepo], project_factory: Callable[..., Project]
) -> None:
    repo = make_repo("app")
    repo.commit({"app/old.py": BLOCKING})
    project = project_factory(repo_url=str(repo.path))

    # First scan: the old problem is the baseline, nothing is new.
    first = scan_now(project)
    result = GateResult.objects.get(scan=first)
    assert result.passed, result.failures
    assert result.baseline == "the first scan"

    # A new Critical problem fails the default gate.
    repo.commit({"app/new.py": BLOCKING})
    second = scan_now(project)
    result = GateResult.objects.get(scan=second)
    assert not result.passed
    assert result.failures == ["1 new Critical finding since the first scan."]

    # A gate that only looks at Important findings in production code passes it ...
    gate = QualityGate.objects.create(
        project=project, no_new_critical=False, no_new_important_in_production=True
    )
    assert gates.rejudge_latest(project).passed  # type: ignore[union-attr]
    # ... until one appears outside test code; in test code it does not count.
    repo.commit({"tests/test_schemas.py": CONFIG})
    assert GateResult.objects.get(scan=scan_now(project)).passed
    repo.commit({"app/schemas.py": CONFIG})
    third = GateResult.objects.get(scan=scan_now(project))
    assert third.failures == ["1 new Important finding in production code since the first scan."]

    # Moving the baseline past the change (tomorrow) makes it old code: the gate passes.
    gate.no_new_critical = True
    gate.baseline_date = (timezone.now() + timedelta(days=1)).date()
    gate.save()
    moved = gates.rejudge_latest(project)
    assert moved is not None and moved.passed, moved.failures if moved else None
    assert moved.baseline == f"{gate.baseline_date:%Y-%m-%d}"

    # A baseline commit: what its scan found is old, what came later is new.
    gate.baseline_date = None
    gate.baseline_commit = repo.git("rev-list", "-n1", "HEAD", "--", "app/new.py")
    gate.save()
    since_new = gates.rejudge_latest(project)
    assert since_new is not None
    assert since_new.failures == [
        f"1 new Important finding in production code since commit {gate.baseline_commit[:12]}."
    ]
    gate.baseline_commit = repo.git("rev-parse", "HEAD")[:10]
    gate.save()
    assert gates.rejudge_latest(project).passed  # type: ignore[union-attr]
    gate.baseline_commit = "f" * 40
    gate.save()
    broken = gates.rejudge_latest(project)
    assert broken is not None and not broken.passed
    assert "not in the branch's history" in broken.failures[0]


def test_a_team_gate_applies_and_a_failed_scan_fails_it(
    workdir: Path, make_repo: Callable[[str], GitRepo], project_factory: Callable[..., Project]
) -> None:
    repo = make_repo("app")
    repo.commit({"app/ok.py": "x = 1\n"})
    project = project_factory(repo_url=str(repo.path))
    assert project.team is not None
    QualityGate.objects.create(team=project.team, no_failed_scan=True, no_new_critical=False)
    assert GateResult.objects.get(scan=scan_now(project)).passed
    project.repo_url = str(workdir / "gone")
    project.save()
    failed = scan_now(project)
    assert failed.status == Scan.Status.FAILED
    result = GateResult.objects.get(scan=failed)
    assert not result.passed and result.failures[0].startswith("The scan failed: ")


def test_the_previous_release_branch_is_the_baseline(
    make_repo: Callable[[str], GitRepo], project_factory: Callable[..., Project]
) -> None:
    now = timezone.now()
    repo = make_repo("app")
    repo.commit({"app/old.py": BLOCKING}, "old problem", when=now - timedelta(days=4))
    project = project_factory(repo_url=str(repo.path), branch="main")
    scan_now(project)
    repo.git("branch", "release/1.9")  # cut at the old problem
    repo.commit({"app/b.py": BLOCKING}, "b", when=now - timedelta(days=3))
    scan_now(project)
    repo.git("branch", "release/1.10")  # cut after b: the newest release
    repo.commit({"app/c.py": BLOCKING}, "c", when=now - timedelta(days=2))
    scan_now(project)
    # A hotfix on the older release is the newest commit of all, but release/1.9 still
    # left main earlier: the fork point decides, not the branch head.
    repo.git("checkout", "-q", "release/1.9")
    repo.commit({"app/fix.py": "x = 1\n"}, "hotfix", when=now - timedelta(days=1))
    repo.git("checkout", "-q", "main")

    gate = QualityGate.objects.create(project=project, baseline_release=True)
    result = gates.rejudge_latest(project)
    assert result is not None and not result.passed
    assert result.baseline == "release branch release/1.10"
    assert result.failures == ["1 new Critical finding since release branch release/1.10."]

    # The release branch is deleted upstream: the next one back is the baseline.
    repo.git("branch", "-D", "release/1.10")
    result = gates.rejudge_latest(project)
    assert result is not None
    assert result.failures == ["2 new Critical findings since release branch release/1.9."]

    # Cut at a commit never scanned (a later scan saw it): its commit date is the
    # baseline. (Dated after every scan so far: regular scans are dated when requested.)
    later = timezone.now() + timedelta(minutes=1)
    repo.commit({"app/d.py": "y = 2\n"}, "d", when=later)
    repo.git("branch", "release/2.0")
    repo.commit({"app/e.py": "z = 3\n"}, "e", when=later + timedelta(minutes=1))
    assert scan_now(project).status == Scan.Status.SUCCEEDED
    result = gates.rejudge_latest(project)
    assert result is not None
    assert result.passed, result.failures
    assert result.baseline.startswith("release branch release/2.0 (")

    # Named otherwise: no release branch at all is a clear failure, not a pass.
    gate.release_branches = "stable-*"
    gate.save()
    result = gates.rejudge_latest(project)
    assert result is not None and not result.passed
    assert result.failures == [
        "The baseline cannot be used: no release branch named like stable-* other than "
        "main shares its history."
    ]
    # The scanned branch itself never counts as its own previous release.
    repo.git("branch", "stable-1")
    gate.release_branches = "ma*"
    gate.save()
    result = gates.rejudge_latest(project)
    assert result is not None
    assert "no release branch named like ma*" in result.failures[0]


@pytest.mark.parametrize(
    ("pattern", "ok"),
    [
        ("release/*", True),
        ("release-*", True),
        ("v*", True),
        ("release/**", False),
        ("release", False),
        ("-x*", False),
        ("a b*", False),
        ("rel..*", False),
    ],
)
def test_release_branch_patterns_are_checked(pattern: str, ok: bool) -> None:
    from dashboard.forms import QualityGateForm

    data = {"scope": "project", "no_new_critical": "on", "release_branches": pattern}
    form = QualityGateForm(data)
    assert form.is_valid() is ok, form.errors
    assert QualityGateForm({**data, "release_branches": ""}).is_valid()  # the default
    both = QualityGateForm(
        {
            **data,
            "release_branches": "release/*",
            "baseline_release": "on",
            "baseline_commit": "abcdef0",
        }
    )
    assert not both.is_valid() and "Choose one baseline" in str(both.errors)
