"""Project exclusivity across machines: PostgreSQL advisory locks, taken from separate
database sessions (threads), as two workers on two machines would."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection

from reviewer import locks
from reviewer.backfill import BackfillBusyError, backfill
from reviewer.models import Project, Scan
from reviewer.scanning import BUSY, request_scan, run_scan
from tests.conftest import GitRepo

pytestmark = pytest.mark.django_db(transaction=True)


class Holder(threading.Thread):
    """Hold a project's lock from another database session until told to let go."""

    def __init__(self, project_id: int) -> None:
        super().__init__(daemon=True)
        self.project_id = project_id
        self.held = threading.Event()
        self.release = threading.Event()
        self.got: bool | None = None

    def run(self) -> None:
        try:
            with locks.project_lock(self.project_id) as got:
                self.got = got
                self.held.set()
                self.release.wait(30)
        finally:
            self.held.set()
            connection.close()


def in_thread(work: Callable[[], object]) -> object:
    box: list[object] = []

    def target() -> None:
        try:
            box.append(work())
        except Exception as exc:
            box.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    return box[0]


def test_two_concurrent_claims_of_one_project_one_wins(
    project_factory: Callable[..., Project],
) -> None:
    assert connection.vendor == "postgresql"
    shop, blog = project_factory("shop"), project_factory("blog")
    holder = Holder(shop.pk)
    holder.start()
    holder.held.wait(10)
    assert holder.got is True

    def claim(project: Project) -> bool:
        with locks.project_lock(project.pk, wait=0.3) as got:
            return got

    assert in_thread(lambda: claim(shop)) is False  # another session holds it
    assert in_thread(lambda: claim(blog)) is True  # other projects are free
    holder.release.set()
    holder.join(10)
    assert in_thread(lambda: claim(shop)) is True  # released with the holder


def test_a_held_project_makes_a_claimed_scan_wait_then_fail_saying_why(
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    workdir: Path,
    settings: object,
) -> None:
    repo = make_repo("r")
    repo.commit({"app.py": "x = 1\n"})
    project = project_factory(repo_url=str(repo.path))
    settings.REVIEWDECK_LOCK_WAIT_SECONDS = 1  # type: ignore[attr-defined]
    holder = Holder(project.pk)  # e.g. a history backfill on another machine
    holder.start()
    holder.held.wait(10)
    scan, _ = request_scan(project)
    try:
        finished = in_thread(lambda: run_scan(scan.pk))
    finally:
        holder.release.set()
        holder.join(10)
    assert isinstance(finished, Scan)
    scan.refresh_from_db()
    assert (scan.status, scan.error) == (Scan.Status.FAILED, BUSY)
    assert not (workdir / f"project-{project.pk}").exists()  # it never fetched

    again, _ = request_scan(project)
    assert run_scan(again.pk).status == Scan.Status.SUCCEEDED  # type: ignore[union-attr]


def test_a_backfill_claims_the_project_before_it_fetches(
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    workdir: Path,
) -> None:
    repo = make_repo("r")
    repo.commit({"app.py": "x = 1\n"})
    project = project_factory(repo_url=str(repo.path))
    holder = Holder(project.pk)  # a scan running on another machine
    holder.start()
    holder.held.wait(10)
    try:
        outcome = in_thread(lambda: backfill(project, weeks=2))
    finally:
        holder.release.set()
        holder.join(10)
    assert isinstance(outcome, BackfillBusyError)
    assert not (workdir / f"project-{project.pk}").exists()
    # An active scan of the project stops it before the fetch too.
    scan, _ = request_scan(project)
    with pytest.raises(BackfillBusyError):
        backfill(project, weeks=2)
    assert not (workdir / f"project-{project.pk}").exists()
    Scan.objects.filter(pk=scan.pk).update(status=Scan.Status.FAILED)
    assert len(backfill(project, weeks=2).scans) == 1
