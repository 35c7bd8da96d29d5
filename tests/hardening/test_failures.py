"""Dead services, against real servers and the product's real processes.

- Redis stops while the web app runs: pages keep working, "Scan now" says the queue is
  unavailable, and when Redis is back the scans queued before the outage run, once each.
- PostgreSQL restarts under a running web app: the next request works.
- The disk holding the work directory is full: the project shows a clear error.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from reviewer.models import Finding, FindingEvent, Project, Scan
from reviewer.scanning import request_scan, run_scan
from reviewer.tasks import requeue_orphaned_scans
from tests.conftest import GitRepo
from tests.processes import (
    ROOT,
    Browserless,
    celery_broker,
    current_database_url,
    logged_in,
    product_env,
    wait_until,
    web_process,
    worker_process,
)
from tests.services import PostgresServer, RedisServer

SLEEPY = "import time\n\nasync def handler():\n    time.sleep(1)\n    time.sleep(2)\n"


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.close()


def session_for(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_redis_outage_loses_and_doubles_no_scan(
    tmp_path: Path,
    workdir: Path,
    redis_server: RedisServer,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    member: User,
) -> None:
    repo = make_repo("r")
    repo.commit({"app.py": SLEEPY})
    waiting = project_factory(name="waiting", repo_url=str(repo.path))
    later = project_factory(name="later", repo_url=str(repo.path))
    env = product_env(
        DATABASE_URL=current_database_url(),
        CELERY_BROKER_URL=redis_server.url,
        REVIEWDECK_WORKDIR=str(workdir),
        REVIEWDECK_REQUEUE_AFTER="0",
    )
    with web_process(env, tmp_path / "web.log") as base:
        http = logged_in(base, session_for(member))
        # A scan is queued while no worker runs; then Redis dies and its message with it.
        queued = http.post(reverse("dashboard:scan_start", args=[waiting.slug]))
        assert queued.status_code == 200
        scan = Scan.objects.get(project=waiting)
        assert scan.status == Scan.Status.QUEUED
        redis_server.stop()

        # Pages keep working without the broker.
        page = http.get(waiting.get_absolute_url())
        assert page.status_code == 200 and "waiting" in page.text
        # Scan now says the queue is unavailable, and leaves no scan pretending to run.
        refused = http.post(reverse("dashboard:scan_start", args=[later.slug]))
        assert refused.status_code == 200
        assert "queue is unavailable" in refused.text
        assert not Scan.objects.filter(project=later).active().exists()
        with celery_broker(redis_server.url):  # broker still down: nothing sent
            assert requeue_orphaned_scans(older_than=0) == 0

        # A worker starts while Redis is still down and waits for it; Redis comes back
        # (empty); the worker sends the orphan again. Extra copies of the message (beat's
        # periodic sweep) must not run the scan twice.
        with worker_process(env, tmp_path / "worker.log", wait=False) as wait_ready:
            time.sleep(1)
            redis_server.start()
            wait_ready()
            with celery_broker(redis_server.url):
                requeue_orphaned_scans(older_than=0)
                requeue_orphaned_scans(older_than=0)
            wait_until(lambda: not Scan.objects.get(pk=scan.pk).is_active, what="the orphaned scan")
            scan.refresh_from_db()
            assert scan.status == Scan.Status.SUCCEEDED, scan.error
            # Scan now works again from the same web process.
            again = http.post(reverse("dashboard:scan_start", args=[later.slug]))
            assert again.status_code == 200 and "queue is unavailable" not in again.text
            wait_until(
                lambda: Scan.objects.filter(project=later, status=Scan.Status.SUCCEEDED).exists(),
                what="a new scan after the outage",
            )
        log = (tmp_path / "worker.log").read_text()
    found = Finding.objects.filter(project=waiting)
    assert sorted(found.values_list("rule_id", "line")) == [("AS001", 4), ("AS001", 5)]
    created = FindingEvent.objects.filter(finding__project=waiting, kind="created").count()
    assert created == 2, "the scan ran more than once"
    assert log.count("succeeded") >= 2, log


@pytest.mark.e2e
def test_postgresql_restart_under_a_running_web_app(tmp_path: Path, migrated_cluster: Path) -> None:
    pg = PostgresServer(template=migrated_cluster).start()
    try:
        env = product_env(
            DATABASE_URL=pg.url,
            DJANGO_SUPERUSER_USERNAME="ops",
            DJANGO_SUPERUSER_PASSWORD="pw-ops-restart",
            DJANGO_SUPERUSER_EMAIL="ops@example.invalid",
        )
        subprocess.run(
            [sys.executable, "manage.py", "createsuperuser", "--noinput"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        with web_process(env, tmp_path / "web.log") as base:
            http = Browserless(base)
            http.get("/accounts/login/")
            login = http.post(
                "/accounts/login/",
                data={
                    "username": "ops",
                    "password": "pw-ops-restart",
                    "csrfmiddlewaretoken": http.cookies["csrftoken"],
                },
            )
            assert login.status_code == 302, login.text
            assert http.get("/").status_code == 200
            pg.restart()  # every connection the web worker held is now dead
            after = http.get("/")
            assert after.status_code == 200, (tmp_path / "web.log").read_text()
            assert http.get("/").status_code == 200
    finally:
        pg.close()


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tiny"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.django_db
def test_a_full_disk_in_the_workdir_is_a_clear_project_error(
    tiny_disk: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    settings: object,
) -> None:
    import random

    settings.REVIEWDECK_WORKDIR = tiny_disk  # type: ignore[attr-defined]
    rng = random.Random(3)
    repo = make_repo("r")
    # Incompressible content, larger than the disk.
    repo.commit({"data.py": "".join(f"x{i} = {rng.random()!r}\n" for i in range(40_000))})
    project = project_factory(repo_url=str(repo.path))
    scan, _ = request_scan(project)
    run_scan(scan.pk)
    scan.refresh_from_db()
    project.refresh_from_db()
    assert scan.status == Scan.Status.FAILED
    assert "space" in scan.error.lower(), scan.error
    assert project.clone_state == Project.CloneState.ERROR
    assert "space" in project.last_error.lower()
