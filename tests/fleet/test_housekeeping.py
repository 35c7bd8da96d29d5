"""Each machine looks after its own cache: clones and trees of deleted projects go, and
so do clones no fetch used for REVIEWDECK_CLONE_KEEP_SECONDS. Beat jobs run once per
tick whatever the number of beats."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from reviewer import checkouts, fleet
from reviewer.models import PeriodicRun, Project, Scan
from reviewer.project_lifecycle import delete_project
from reviewer.scanning import request_scan
from reviewer.tasks import requeue_orphaned_scans_task, weekly_digests
from tests.conftest import GitRepo
from tests.fleet.test_machines import machine
from tests.processes import wait_until, worker_process

pytestmark = pytest.mark.django_db(transaction=True)


def cached(project: Project, work: Path, settings: Any) -> tuple[Path, Path]:
    """Fetch the project's head into ``work`` (another machine's cache) and export its
    tree; returns the clone and the project's trees folder there."""
    here = settings.REVIEWDECK_WORKDIR
    settings.REVIEWDECK_WORKDIR = work
    try:
        synced = checkouts.fetch(project)
        checkouts.tree_at(project, synced.sha)
        return project.checkout_dir, checkouts.trees_root(project)
    finally:
        settings.REVIEWDECK_WORKDIR = here


def test_a_machine_prunes_deleted_projects_and_clones_unused_for_long(
    tmp_path: Path,
    workdir: Path,
    settings: Any,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
) -> None:
    other = tmp_path / "machine-b"
    kept, gone, idle = (project_factory(n) for n in ("kept", "gone", "idle"))
    caches = {}
    for project in (kept, gone, idle):
        repo = make_repo(project.name)
        repo.commit({"app.py": "x = 1\n"})
        Project.objects.filter(pk=project.pk).update(repo_url=str(repo.path))
        project.refresh_from_db()
        caches[project.name] = cached(project, other, settings)
    delete_project(gone)  # on this machine: B's copy stays until B prunes
    month_ago = time.time() - 30 * 86400
    os.utime(caches["idle"][0], (month_ago, month_ago))
    os.utime(caches["kept"][0], (month_ago, month_ago))
    lock = caches["kept"][0].parent / f".{caches['kept'][0].name}.lock"
    with lock.open("a+b") as held:  # a fetch of "kept" is running on B right now
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        counts = fleet.prune_caches(other)
    assert counts == {"deleted": 1, "unused": 1, "trees": 1}
    assert not caches["gone"][0].exists() and not caches["gone"][1].exists()
    assert not caches["idle"][0].exists()
    assert caches["idle"][1].is_dir()  # its tree was used within the hour: kept
    assert caches["kept"][0].is_dir() and caches["kept"][1].is_dir()
    assert fleet.prune_caches(other) == {"deleted": 0, "unused": 1, "trees": 0}  # now free


@pytest.mark.e2e
def test_every_worker_machine_prunes_its_own_cache_of_a_deleted_project(
    tmp_path: Path,
    settings: Any,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
) -> None:
    repo = make_repo("svc")
    repo.commit({"app.py": "x = 1\n"})
    project = project_factory(repo_url=str(repo.path))
    # A Claude-only machine: it scans nothing, yet keeps clones (of scans' commits).
    env, work = machine(tmp_path, "c", REVIEWDECK_PRUNE_SECONDS="1")
    clone, trees = cached(project, work, settings)
    with worker_process(env, tmp_path / "c.log", "claude"):
        delete_project(project)
        wait_until(lambda: not clone.exists() and not trees.exists(), timeout=20, what="prune")


def test_a_beat_job_runs_once_per_tick_however_many_beats_send_it(
    settings: Any, project_factory: Callable[..., Project]
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    project_factory(digest_emails="team@example.com")
    # Two beats deliver Monday's tick twice: one digest goes out.
    assert [weekly_digests.apply().get() for _ in range(2)] == [1, 0]
    assert len(mail.outbox) == 1
    assert weekly_digests() == 1  # a direct call (a shell) is not a tick: it runs

    orphan, _ = request_scan(project_factory("orphan"))
    old = orphan.created_at - timedelta(hours=1)
    Scan.objects.filter(pk=orphan.pk).update(created_at=old)
    assert requeue_orphaned_scans_task.apply().get() == 1
    Scan.objects.filter(pk=orphan.pk).update(heartbeat_at=old)
    assert requeue_orphaned_scans_task.apply().get() == 0  # the other beat's copy
    # The next tick, one period (120 s) later, runs.
    PeriodicRun.objects.update(ran_at=orphan.created_at - timedelta(seconds=120))
    assert requeue_orphaned_scans_task.apply().get() == 1
