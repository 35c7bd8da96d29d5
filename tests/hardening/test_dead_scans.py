"""A scan whose worker died is declared dead after a few missed heartbeats, and a scan
cut off by a database outage says so instead of blaming the worker (issue 12, defect 7).
Real PostgreSQL servers, a real Celery worker, a real repository."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.utils import timezone

from reviewer.models import Project, Scan
from reviewer.scanning import WORKER_GONE, database_came_back, expire_stale_scans, request_scan
from tests.conftest import GitRepo
from tests.processes import ROOT, product_env, wait_until, worker_process
from tests.services import PostgresServer

SLEEPY = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"


@pytest.mark.django_db
def test_a_dead_scan_is_declared_dead_after_a_few_missed_beats(
    project_factory: Callable[..., Project], settings: object
) -> None:
    settings.REVIEWDECK_HEARTBEAT_SECONDS = 20  # type: ignore[attr-defined]
    settings.REVIEWDECK_MISSED_BEATS = 3  # type: ignore[attr-defined]
    settings.REVIEWDECK_SCAN_STALE_SECONDS = 600  # type: ignore[attr-defined]
    project = project_factory()
    scan, _ = request_scan(project)
    Scan.objects.filter(pk=scan.pk).update(
        status=Scan.Status.RUNNING, heartbeat_at=timezone.now() - timedelta(seconds=50)
    )
    assert expire_stale_scans(project) == 0  # two beats missed: not yet
    Scan.objects.filter(pk=scan.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    again, created = request_scan(project)  # "Scan now" gets a new scan, not the dead one
    assert created and again.pk != scan.pk
    scan.refresh_from_db()
    assert scan.status == Scan.Status.FAILED
    assert scan.error.startswith(f"{WORKER_GONE}: no heartbeat for 60 s")
    # Had its worker been alive but cut off from the database, its next beat says so.
    database_came_back(scan.pk, timezone.now() - timedelta(seconds=75))
    scan.refresh_from_db()
    assert scan.error.startswith("The database was unavailable for about 75 s")


@pytest.mark.e2e
def test_a_database_outage_is_named_as_the_reason_not_the_worker(
    tmp_path: Path, make_repo: Callable[[str], GitRepo], migrated_cluster: Path
) -> None:
    repo = make_repo("app")
    repo.commit({"app.py": SLEEPY})
    hold = tmp_path / "hold"  # the scan waits before its review while this file exists
    hold.touch()
    pg = PostgresServer(template=migrated_cluster).start()
    try:
        env = product_env(
            DATABASE_URL=pg.url,
            CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
            REVIEWDECK_WORKDIR=str(tmp_path / "work"),
            REVIEWDECK_DATA_DIR=str(tmp_path / "data"),
            REVIEWDECK_RUFF="0",
            REVIEWDECK_HEARTBEAT_SECONDS="0.2",
            REVIEWDECK_SCAN_DELAY_SECONDS="60",
            REVIEWDECK_SCAN_HOLD_FILE=str(hold),
        )

        def manage(*args: str) -> str:
            done = subprocess.run(
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            return done.stdout

        manage("add_project", "outage", str(repo.path))

        def scan_row() -> tuple[str, str, str] | None:
            with psycopg.connect(pg.url) as db:
                return db.execute(
                    "select status, progress_message, error from reviewer_scan "
                    "order by id desc limit 1"
                ).fetchone()

        with worker_process(env, tmp_path / "worker.log"):
            assert "Queued scan #" in manage("scan", "outage", "--queue")
            wait_until(
                lambda: (scan_row() or ("", "", ""))[1] == "Reviewing the code",
                timeout=60,
                what="the scan to run",
            )
            pg._ctl("-m", "fast", "stop")  # the worker lives on; its database is gone
            time.sleep(1.2)  # several missed beats (0.2 s each)
            pg._ctl("start")
            # The stale check (beat's task) runs as soon as the database is back.
            manage("shell", "-c", "from reviewer.tasks import expire_stale_scans_task as t; t()")
            hold.unlink()  # the scan goes on, on a connection the outage cut
            wait_until(
                lambda: (scan_row() or ("running",))[0] not in {"running", "queued"},
                timeout=60,
                what="the scan to end",
            )
        status, _, error = scan_row() or ("", "", "")
        log = (tmp_path / "worker.log").read_text()
        assert status == "failed", log
        assert "database was unavailable" in error.lower(), error
        assert WORKER_GONE not in error
    finally:
        pg.close()
