"""End to end: a real Celery worker on every queue ("scans" and "claude" included), a real git
repository, the real anthropic SDK talking to the scripted local Messages API."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from reviewer.agents.catalog import BUILTIN_DIR
from reviewer.agents.definition import load_file
from reviewer.agents.recovery import expire_stale_agent_runs
from reviewer.liveness import WORKER_GONE
from reviewer.models import Finding, Project, Scan
from reviewer.scanning import request_scan
from reviewer.tasks import enqueue_scan
from tests.conftest import GitRepo
from tests.fake_anthropic import FakeAnthropic, Reply, done, tool_use, tools_reply
from tests.processes import current_database_url, product_env, wait_until, worker_process

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
REVIEWER = "python-backend-reviewer"
DB = 'def load(session, user_id):\n    return session.execute(f"SELECT {user_id}")\n'


@pytest.fixture
def fake() -> Iterator[FakeAnthropic]:
    server = FakeAnthropic().start()
    yield server
    server.stop()


@pytest.fixture
def claude_worker(
    transactional_db: None, tmp_path: Path, workdir: Path, fake: FakeAnthropic
) -> Iterator[subprocess.Popen[bytes]]:
    """One worker on both queues, its Anthropic client pointed at the fake server."""
    env = product_env(
        DATABASE_URL=current_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        REVIEWDECK_WORKDIR=str(workdir),
        ANTHROPIC_API_KEY="sk-e2e-test",
        ANTHROPIC_BASE_URL=fake.url,
        ANTHROPIC_MAX_RETRIES="1",
    )
    with worker_process(env, tmp_path / "claude-worker.log") as worker:
        yield worker.proc


def wait_for_agents(scan_id: int, timeout: float = 90) -> Scan:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        scan = Scan.objects.get(pk=scan_id)
        runs = scan.agent_runs
        if (
            not scan.is_active
            and runs
            and all(r.get("status") not in ("queued", "running") for r in runs.values())
        ):
            return scan
        if scan.status == Scan.Status.FAILED:
            return scan
        time.sleep(0.1)
    raise AssertionError(f"the agents of scan {scan_id} did not finish in {timeout}s")


def test_a_scan_runs_the_rules_then_the_claude_review_on_its_own_queue(
    claude_worker: object,
    fake: FakeAnthropic,
    make_repo: Callable[[str], GitRepo],
    member_client: Client,
    project_factory: Callable[..., Project],
) -> None:
    repo = make_repo("svc")
    repo.commit(
        {"app/db.py": DB, "app/api.py": "import time\n\n\nasync def f():\n    time.sleep(1)\n"}
    )
    project = project_factory(repo_url=str(repo.path), agents=[REVIEWER])
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
            ),
            cache_write=1500,
        ),
        done(cache_read=1500),
    )

    response = member_client.post(reverse("dashboard:scan_start", args=[project.slug]))
    assert response.status_code == 200
    started = project.scans.order_by("-id").first()
    assert started is not None
    scan = wait_for_agents(started.pk)

    assert scan.status == Scan.Status.SUCCEEDED, scan.error
    assert scan.agent_runs[REVIEWER]["status"] == "succeeded", scan.agent_runs
    claude = Finding.objects.get(project=project, origin=Finding.Origin.CLAUDE)
    assert (claude.path, claude.line, claude.title) == ("app/db.py", 2, "SQL injection")
    assert claude.agent_version == load_file(BUILTIN_DIR / f"{REVIEWER}.md").version
    assert Finding.objects.filter(project=project, rule_id="AS001").exists()
    assert scan.input_tokens == 3000 and scan.output_tokens == 300
    assert (scan.cache_read_tokens, scan.cache_write_tokens) == (1500, 1500)
    assert scan.cost_usd > 0
    assert len(fake.requests) == 3
    assert fake.requests[0]["headers"].get("Authorization") == "Bearer sk-e2e-test"

    page = member_client.get(reverse("dashboard:project_agents", args=[project.slug]))
    html = page.content.decode()
    assert "succeeded" in html and f"cost ≈ ${scan.cost_usd}" in html


@pytest.mark.parametrize("warm_first", [False, True], ids=["sigkill", "warm-shutdown-then-kill"])
def test_a_worker_killed_mid_review_leaves_no_part_running_and_the_task_comes_back(
    warm_first: bool,
    transactional_db: None,
    tmp_path: Path,
    workdir: Path,
    fake: FakeAnthropic,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    settings: object,
) -> None:
    # Beats every 0.25 s; four missed (1 s) and the part is dead.
    settings.REVIEWDECK_HEARTBEAT_SECONDS = 0.25  # type: ignore[attr-defined]
    settings.REVIEWDECK_MISSED_BEATS = 4  # type: ignore[attr-defined]
    env = product_env(
        DATABASE_URL=current_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,  # type: ignore[attr-defined]
        REVIEWDECK_WORKDIR=str(workdir),
        ANTHROPIC_API_KEY="sk-e2e-test",
        ANTHROPIC_BASE_URL=fake.url,
        ANTHROPIC_MAX_RETRIES="0",
        REVIEWDECK_HEARTBEAT_SECONDS="0.25",
        REVIEWDECK_MISSED_BEATS="4",
        # The killed worker's message is visible again when the next worker starts (a
        # worker restores unacknowledged messages as it starts, then every 10 s).
        CELERY_VISIBILITY_TIMEOUT="1",
    )
    arrived, release = threading.Event(), threading.Event()

    def hang(request: dict[str, object]) -> Reply:
        arrived.set()
        release.wait(60)
        return done()

    fake.add(hang)
    repo = make_repo("svc")
    repo.commit({"app/db.py": DB})
    project = project_factory(repo_url=str(repo.path), agents=[REVIEWER])
    scan, _ = request_scan(project, Scan.Trigger.MANUAL)
    with worker_process(env, tmp_path / "killed.log", queues="scans,claude") as worker:
        enqueue_scan(scan)
        assert arrived.wait(90), (tmp_path / "killed.log").read_text()
        scan.refresh_from_db()
        assert scan.agent_runs[REVIEWER]["status"] == "running"
        if warm_first:
            # A warm shutdown (what `serve` sends first) waits for the review: the worker
            # still beats, so the sweep leaves its part alone ...
            os.kill(worker.proc.pid, signal.SIGTERM)
            time.sleep(2)  # twice the time after which a silent part counts as dead
            assert worker.proc.poll() is None
            assert expire_stale_agent_runs() == 0
            scan.refresh_from_db()
            assert scan.agent_runs[REVIEWER]["status"] == "running"
        # ... until the grace ends with SIGKILL (or the worker is killed outright).
        os.kill(worker.proc.pid, signal.SIGKILL)
        worker.proc.wait(10)
    release.set()

    # Four missed beats (1 s) after the kill the sweep fails the part, once.
    assert wait_until(expire_stale_agent_runs, timeout=30, what="the sweep") == 1
    scan.refresh_from_db()
    run = scan.agent_runs[REVIEWER]
    assert run["status"] == "failed" and run["error"].startswith(WORKER_GONE), run
    assert scan.agents_hash == ""

    # The unacknowledged task is delivered again to the next worker: it reviews again.
    fake.add(done())
    with worker_process(env, tmp_path / "second.log", queues="scans,claude"):
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            scan.refresh_from_db()
            if scan.agent_runs[REVIEWER]["status"] == "succeeded":
                break
            time.sleep(0.1)
        assert scan.agent_runs[REVIEWER]["status"] == "succeeded", (
            tmp_path / "second.log"
        ).read_text()[-3000:]
