"""A re-scan writes what changed, not every open finding: "still open" is derived.

Real PostgreSQL and real git repositories; the statements a scan sends are counted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviewer.findings.excerpts import Excerpts
from reviewer.models import Finding, FindingEvent, Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo

pytestmark = pytest.mark.django_db

FLAGGED = "import time\n\nasync def handler_{n}():\n    time.sleep(1)\n"


def scan_counting_finding_updates(project: Project) -> tuple[Scan, int]:
    scan, _ = request_scan(project, Scan.Trigger.CLI)
    with CaptureQueriesContext(connection) as ctx:
        run_scan(scan.pk)
    scan.refresh_from_db()
    assert scan.status == Scan.Status.SUCCEEDED, scan.error
    updates = [q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "reviewer_finding"')]
    return scan, len(updates)


@pytest.fixture
def repo(make_repo: Callable[[str], GitRepo]) -> GitRepo:
    repo = make_repo("r")
    repo.commit({f"app/m{n}.py": FLAGGED.format(n=n) for n in range(5)})
    return repo


def test_a_rescan_writes_only_the_findings_that_moved(
    workdir: Path, repo: GitRepo, project_factory: Callable[..., Project]
) -> None:
    project = project_factory(repo_url=str(repo.path))
    first, _ = scan_counting_finding_updates(project)
    assert Finding.objects.filter(project=project, rule_id="AS001").count() == 5

    repo.commit({"app/m0.py": "# one line added above\n" + FLAGGED.format(n=0)})
    second, updates = scan_counting_finding_updates(project)

    assert updates == 1  # the moved finding; the four others are still open, unwritten
    moved = Finding.objects.get(project=project, path="app/m0.py", rule_id="AS001")
    assert moved.line == 5 and moved.last_seen_scan_id == second.pk
    assert moved.excerpt.startswith("# one line added above") and moved.excerpt_start == 1
    kinds = set(FindingEvent.objects.filter(scan=second).values_list("kind", flat=True))
    assert kinds == {FindingEvent.Kind.MOVED}
    assert second.summary.still_open_count == 5 and second.summary.open_total == 5

    untouched = Finding.objects.get(project=project, path="app/m1.py", rule_id="AS001")
    assert untouched.last_seen_scan_id == first.pk  # not rewritten...
    project.refresh_from_db()
    latest = project.latest_recorded_scan_id()
    assert latest == second.pk
    assert untouched.last_seen_in(latest) == second.pk  # ...but seen in the latest scan


def test_an_unrelated_change_writes_no_finding(
    workdir: Path, repo: GitRepo, project_factory: Callable[..., Project]
) -> None:
    project = project_factory(repo_url=str(repo.path))
    scan_counting_finding_updates(project)
    repo.commit({"README.md": "unrelated\n"})
    scan, updates = scan_counting_finding_updates(project)
    assert updates == 0 and not FindingEvent.objects.filter(scan=scan).exists()
    assert scan.summary.still_open_count == 5


def test_a_fixed_finding_was_last_seen_in_the_scan_before_its_fix(
    workdir: Path, repo: GitRepo, project_factory: Callable[..., Project]
) -> None:
    project = project_factory(repo_url=str(repo.path))
    scan_counting_finding_updates(project)
    repo.commit({"README.md": "unrelated\n"})
    still_open, _ = scan_counting_finding_updates(project)
    repo.commit({"app/m2.py": "def handler():\n    return 1\n"})
    fixing, updates = scan_counting_finding_updates(project)

    assert updates == 1
    fixed = Finding.objects.get(project=project, path="app/m2.py", rule_id="AS001")
    assert fixed.status == Finding.Status.FIXED and fixed.fixed_in_scan_id == fixing.pk
    project.refresh_from_db()
    assert fixed.last_seen_in(project.latest_recorded_scan_id()) == still_open.pk
    assert "time.sleep(1)" in fixed.excerpt  # the page still shows the code that was flagged

    repo.commit({"app/m2.py": FLAGGED.format(n=2)})
    reopening, updates = scan_counting_finding_updates(project)
    fixed.refresh_from_db()
    assert updates == 1 and fixed.is_open and fixed.reopen_count == 1
    assert fixed.last_seen_scan_id == reopening.pk


def test_excerpts_read_regular_files_in_the_tree_and_count_newlines_only(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    root.mkdir()
    lines = [f"line {n}" for n in range(1, 31)]
    lines[3] = "four\x0cstill four\u2028still four"  # not line breaks for git or editors
    (root / "a.py").write_bytes(("\r\n".join(lines) + "\r\n").encode())
    (root / "link.py").symlink_to(root / "a.py")
    outside = tmp_path / "secret.py"
    outside.write_text("secret\n")

    excerpts = Excerpts(root, max_bytes=10_000)
    start, text = excerpts.around("a.py", 20)
    assert start == 12 and text.split("\n") == lines[11:28]
    assert excerpts.around("a.py", 2) == (1, "\n".join(lines[:10]))
    assert excerpts.around("a.py", 30)[1].endswith("line 30")  # no empty line after the end
    assert excerpts.around("link.py", 2) == (0, "")
    assert excerpts.around("../secret.py", 1) == (0, "")
    assert excerpts.around("missing.py", 1) == (0, "")
    assert Excerpts(root, max_bytes=10).around("a.py", 2) == (0, "")  # too large
    assert Excerpts(None, max_bytes=10_000).around("a.py", 2) == (0, "")
