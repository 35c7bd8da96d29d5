"""Workers on two "machines": separate work and data folders, sharing only the test
PostgreSQL and Redis. Any worker takes any scan or Claude run and reads the exact commit
the scan names, whatever its own cache of the repository holds."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings

from reviewer.models import Finding, Project, Scan
from reviewer.scanning import request_scan
from reviewer.tasks import enqueue_scan
from tests.conftest import GitRepo
from tests.fake_anthropic import FakeAnthropic, done, tool_use, tools_reply
from tests.processes import (
    current_database_url,
    product_env,
    taking_over,
    wait_until,
    worker_process,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SLEEPY = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"
DB = 'def load(session, user_id):\n    return session.execute(f"SELECT {user_id}")\n'
REVIEWER = "python-backend-reviewer"


def machine(tmp_path: Path, name: str, **extra: str) -> tuple[dict[str, str], Path]:
    """The environment of one machine's workers: its own work and data folders."""
    work = tmp_path / name / "work"
    env = product_env(
        DATABASE_URL=current_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        REVIEWDECK_WORKDIR=str(work),
        REVIEWDECK_DATA_DIR=str(tmp_path / name / "data"),
        REVIEWDECK_RUFF="0",
        **extra,
    )
    return env, work


def send_scan(project: Project) -> Scan:
    scan, created = request_scan(project)
    assert created
    enqueue_scan(scan)
    return scan


def finished(scan: Scan) -> Scan:
    wait_until(lambda: not Scan.objects.get(pk=scan.pk).is_active, timeout=90, what="the scan")
    scan.refresh_from_db()
    assert scan.status == Scan.Status.SUCCEEDED, scan.error
    return scan


def scan_now(project: Project) -> Scan:
    return finished(send_scan(project))


def tree_of(work: Path, project: Project, sha: str) -> Path:
    return work / "trees" / f"project-{project.pk}" / sha


def test_any_machine_scans_the_head_whatever_its_own_cache_holds(
    tmp_path: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
) -> None:
    repo = make_repo("svc")
    first = repo.commit({"app/a.py": SLEEPY})
    project = project_factory(repo_url=str(repo.path))
    env_a, work_a = machine(tmp_path, "a")
    env_b, work_b = machine(tmp_path, "b")

    with worker_process(env_a, tmp_path / "a.log", "scans") as a:
        one = scan_now(project)
        assert one.commit_sha == first and tree_of(work_a, project, first).is_dir()
        assert not work_b.exists()  # B has seen nothing yet

        second = repo.commit({"app/b.py": SLEEPY})
        with taking_over(a, env_b, tmp_path / "b.log", "scans") as b:
            two = scan_now(project)
            # B fetched the repository itself and reviewed the new head.
            assert two.commit_sha == second and tree_of(work_b, project, second).is_dir()
            assert not tree_of(work_a, project, second).exists()
            # b.py's problem; a.py's one was tracked, not new
            assert two.summary.new_count == 1

            third = repo.commit({"app/a.py": "x = 1\n", "app/c.py": SLEEPY})
            with taking_over(b, env_a, tmp_path / "a2.log", "scans"):
                three = scan_now(project)
    # A's cache still held the first commit: it fetched and reviewed the third.
    assert three.commit_sha == third
    paths = set(
        Finding.objects.open()
        .filter(project=project, rule_id="AS001")
        .values_list("path", flat=True)
    )
    assert paths == {"app/b.py", "app/c.py"}
    assert Finding.objects.get(project=project, path="app/a.py").fixed_in_scan == three


@pytest.fixture
def fake() -> Iterator[FakeAnthropic]:
    server = FakeAnthropic().start()
    yield server
    server.stop()


def test_a_claude_run_on_another_machine_reads_the_commit_the_scan_reviewed(
    tmp_path: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    fake: FakeAnthropic,
) -> None:
    repo = make_repo("svc")
    scanned = repo.commit({"app/db.py": DB})
    project = project_factory(repo_url=str(repo.path), agents=[REVIEWER])
    claude = {
        "ANTHROPIC_API_KEY": "sk-fleet-test",
        "ANTHROPIC_BASE_URL": fake.url,
        "ANTHROPIC_MAX_RETRIES": "1",
    }
    env_a, _work_a = machine(tmp_path, "a", **claude)
    env_b, work_b = machine(tmp_path, "b", **claude)
    fake.add(
        tools_reply(tool_use("read_file", {"path": "app/db.py", "start_line": 1})),
        tools_reply(
            tool_use(
                "report_finding",
                {
                    "category": "security",
                    "severity": "critical",
                    "confidence": 95,
                    "path": "app/db.py",
                    "line": 2,
                    "code": 'return session.execute(f"SELECT {user_id}")',
                    "title": "SQL injection",
                    "explanation": "User input is formatted into SQL.",
                    "suggested_fix": "Bind parameters.",
                },
            )
        ),
        done(),
    )

    # Machine A scans (and plans the Claude part, which waits on the claude queue).
    with worker_process(env_a, tmp_path / "a.log", "scans") as a:
        scan = scan_now(project)
        assert scan.commit_sha == scanned
        assert Scan.objects.get(pk=scan.pk).agent_runs[REVIEWER]["status"] == "queued"
        # The branch moves on before any Claude worker runs: the SQL line is gone at the head.
        repo.commit({"app/db.py": "def load(session, user_id):\n    return None\n"})

        # Machine B, which never saw the repository, runs the Claude part of that scan.
        with taking_over(a, env_b, tmp_path / "b.log", "claude"):
            wait_until(
                lambda: (
                    Scan.objects.get(pk=scan.pk).agent_runs[REVIEWER]["status"]
                    not in ("queued", "running")
                ),
                timeout=90,
                what="the Claude run",
            )
    runs = Scan.objects.get(pk=scan.pk).agent_runs
    assert runs[REVIEWER]["status"] == "succeeded", runs
    assert tree_of(work_b, project, scanned).is_dir()
    # The tool read the scanned commit's file, and the finding was verified against it.
    tool_result = json.dumps(fake.requests[1]["body"]["messages"][-1])
    assert "SELECT {user_id}" in tool_result
    found = Finding.objects.get(project=project, origin=Finding.Origin.CLAUDE)
    assert (found.path, found.line, found.title) == ("app/db.py", 2, "SQL injection")
