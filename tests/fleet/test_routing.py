"""Optional routing: with REVIEWDECK_ROUTE_SCANS a project's scans go to the machine that
a consistent hash picks among the machines up, so its clone is reused there; nothing
depends on it. Two worker processes on separate work folders, sharing only the test
PostgreSQL and Redis."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import redis
from django.utils import timezone

from reviewer import fleet
from reviewer.models import Project, WorkerMachine
from reviewer.tasks import requeue_orphaned_scans
from tests.conftest import GitRepo
from tests.fleet.test_machines import finished, machine, send_scan
from tests.processes import wait_until, worker_process

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_owner_is_stable_and_a_leaving_machine_moves_only_its_own_projects() -> None:
    three = ["a", "b", "c"]
    owners = {pk: fleet.owner(pk, three) for pk in range(1, 601)}
    assert owners == {pk: fleet.owner(pk, list(reversed(three))) for pk in range(1, 601)}
    share = {m: sum(1 for o in owners.values() if o == m) for m in three}
    assert min(share.values()) > 150  # ~200 each
    moved = {pk for pk in owners if fleet.owner(pk, ["a", "c"]) != owners[pk]}
    assert moved == {pk for pk, o in owners.items() if o == "b"}


def test_scans_go_to_the_machine_of_their_project_and_never_wait_for_a_gone_one(
    tmp_path: Path,
    settings: Any,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
) -> None:
    settings.REVIEWDECK_ROUTE_SCANS = True
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    names = {key: f"{key}-{uuid.uuid4().hex[:8]}" for key in ("a", "b")}
    beat = {"REVIEWDECK_MACHINE_BEAT_SECONDS": "1"}
    env_a, work_a = machine(tmp_path, "a", REVIEWDECK_MACHINE=names["a"], **beat)
    env_b, work_b = machine(tmp_path, "b", REVIEWDECK_MACHINE=names["b"], **beat)
    work = {names["a"]: work_a, names["b"]: work_b}
    projects: list[Project] = []
    while len({fleet.owner(p.pk, list(work)) for p in projects}) < 2:  # both own some
        repo = make_repo(f"svc{len(projects)}")
        repo.commit({"app/a.py": "x = 1\n"})
        projects.append(project_factory(f"svc{len(projects)}", repo_url=str(repo.path)))

    with ExitStack() as stack:
        a = stack.enter_context(worker_process(env_a, tmp_path / "a.log", "scans", wait=False))
        b_stack = stack.enter_context(ExitStack())
        b = b_stack.enter_context(worker_process(env_b, tmp_path / "b.log", "scans", wait=False))
        a()
        b()
        wait_until(lambda: set(fleet.live_machines()) == set(work), what="both machines up")

        for done in [finished(s) for s in [send_scan(p) for p in projects]]:
            mine = fleet.owner(done.project_id, list(work))
            for name, folder in work.items():  # cloned where routed, and only there
                assert (folder / f"project-{done.project_id}").is_dir() == (name == mine)

        b_stack.close()  # machine B stops: it says so, and its projects go to A
        assert fleet.live_machines() == [names["a"]]
        of_b = [p for p in projects if fleet.owner(p.pk, list(work)) == names["b"]]
        finished(send_scan(of_b[0]))
        assert (work_a / f"project-{of_b[0].pk}").is_dir()

        # B dies without a word (its row still fresh): a scan routed to it stays queued
        # in the database until the sweep sends it to the queue every machine takes.
        WorkerMachine.objects.create(name=names["b"], seen_at=timezone.now())
        stranded = send_scan(of_b[-1])
        assert broker.llen(fleet.machine_queue(names["b"])) == 1  # nobody takes it there
        assert requeue_orphaned_scans(older_than=0) == 1
        finished(stranded)
        assert (work_a / f"project-{of_b[-1].pk}").is_dir()
