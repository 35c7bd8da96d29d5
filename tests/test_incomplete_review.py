"""A file whose result is missing or partial keeps its earlier findings open, and the scan
says which files were not fully reviewed and why (issue 12, defect 6). Real git, real ruff
and, for the crash, a real script first on PATH that aborts like ruff did (status -6)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from reviewer.models import Finding, Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo

pytestmark = pytest.mark.django_db

HANDLER = (
    "import requests\n\n\n"
    "async def handler() -> None:\n"
    "    requests.get('https://example.invalid')\n"
    "    try:\n"
    "        pass\n"
    "    except:\n"
    "        pass\n"
)


def scan_now(project: Project) -> Scan:
    scan, created = request_scan(project, Scan.Trigger.CLI)
    assert created
    run_scan(scan.pk)
    scan.refresh_from_db()
    return scan


def open_rules(project: Project) -> set[tuple[str, str]]:
    return set(
        Finding.objects.filter(project=project, status=Finding.Status.OPEN).values_list(
            "path", "rule_id"
        )
    )


@pytest.fixture
def first_scan(
    readme_layout: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    settings: object,
) -> tuple[GitRepo, Project]:
    settings.REVIEWDECK_RUFF = True  # type: ignore[attr-defined]
    repo = make_repo("app")
    repo.commit({"app/handlers.py": HANDLER, "app/other.py": HANDLER})
    project = project_factory(repo_url=str(repo.path))
    scan = scan_now(project)
    assert scan.status == Scan.Status.SUCCEEDED and scan.files_reviewed == 2
    assert ("app/handlers.py", "ruff:E722") in open_rules(project)
    assert ("app/handlers.py", "AS001") in open_rules(project)
    return repo, project


def test_a_crashing_ruff_keeps_the_ruff_findings_of_changed_files_open(
    first_scan: tuple[GitRepo, Project], crashing_ruff: Path, member_client: Client
) -> None:
    repo, project = first_scan
    before = open_rules(project)
    repo.commit({"app/handlers.py": "# a comment moves nothing\n" + HANDLER})
    scan = scan_now(project)
    assert scan.status == Scan.Status.SUCCEEDED
    assert open_rules(project) == before
    assert not Finding.objects.filter(project=project, status=Finding.Status.FIXED).exists()
    assert scan.summary.fixed_count == 0
    assert scan.stats["not_reviewed"] == [
        {"path": "app/handlers.py", "reason": "ruff exited with status -6"}
    ]
    page = member_client.get(f"/projects/{project.slug}/scans/{scan.pk}/")
    assert b"Not fully reviewed (1 files)" in page.content
    assert b"ruff exited with status -6" in page.content


def test_a_file_that_stops_parsing_keeps_its_findings_open(
    first_scan: tuple[GitRepo, Project],
) -> None:
    repo, project = first_scan
    repo.commit({"app/handlers.py": HANDLER + "def broken(:\n"})
    scan = scan_now(project)
    still = open_rules(project)
    assert {("app/handlers.py", "ruff:E722"), ("app/handlers.py", "AS001")} <= still
    assert ("app/handlers.py", "PARSE001") in still
    assert [n["path"] for n in scan.stats["not_reviewed"]] == ["app/handlers.py"]


def test_a_file_skipped_for_its_size_keeps_its_findings_open(
    first_scan: tuple[GitRepo, Project], settings: object
) -> None:
    repo, project = first_scan
    settings.REVIEWDECK_MAX_FILE_BYTES = len(HANDLER) + 10  # type: ignore[attr-defined]
    repo.commit({"app/handlers.py": HANDLER + "# padding\n" * 20})
    scan = scan_now(project)
    assert ("app/handlers.py", "AS001") in open_rules(project)
    assert ("app/handlers.py", "ruff:E722") in open_rules(project)
    (entry,) = scan.stats["not_reviewed"]
    assert entry["path"] == "app/handlers.py" and "large" in entry["reason"].lower()


def test_a_real_fix_after_a_crash_is_still_seen(
    first_scan: tuple[GitRepo, Project], crashing_ruff: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, project = first_scan
    repo.commit({"app/handlers.py": "# touched\n" + HANDLER})
    scan_now(project)  # ruff crashed: nothing closed
    monkeypatch.undo()  # the crashing ruff leaves PATH
    repo.commit({"app/handlers.py": "async def handler() -> None:\n    return None\n"})
    scan = scan_now(project)  # ruff from the ruff package again
    assert scan.stats["not_reviewed"] == []
    assert ("app/handlers.py", "ruff:E722") not in open_rules(project)
    assert ("app/handlers.py", "AS001") not in open_rules(project)
    assert ("app/other.py", "AS001") in open_rules(project)
