"""Worker machines: which are up, where a project's scans go, and each machine's cache
housekeeping. Machines share only PostgreSQL and Redis.

- **Up**: every worker process (its main process, a thread) writes its machine's
  ``WorkerMachine.seen_at`` every ``REVIEWDECK_MACHINE_BEAT_SECONDS`` while it consumes
  the ``scans`` queue, and deletes it when it stops cleanly. A machine not seen for
  ``REVIEWDECK_MACHINE_STALE_SECONDS`` is down.
- **Routing** (optional, ``REVIEWDECK_ROUTE_SCANS``): a scan worker also consumes
  ``scans.<machine>`` (added at start, whatever ``-Q`` says). A scan is sent to the
  queue of the machine that a consistent hash (highest random weight) of the project
  picks among the machines up now, so a project's scans keep landing where its clone
  is, and a machine leaving moves only its own projects. Nothing depends on it: with
  routing off or no machine up, scans go to the shared ``scans`` queue, which every
  scan worker takes; a scan sent to a machine that died before taking it stays queued
  in the database and ``requeue_orphaned_scans`` sends it again to the shared queue.
- **Cache housekeeping**: every ``REVIEWDECK_PRUNE_SECONDS`` each worker removes from
  its machine's ``REVIEWDECK_WORKDIR`` the clones and trees of projects no longer in the
  database, clones not fetched for ``REVIEWDECK_CLONE_KEEP_SECONDS``, and trees not used
  for ``REVIEWDECK_TREE_KEEP_SECONDS``. No broker message is needed: a machine that was
  down prunes when it comes back.
- **One run per beat tick** (:func:`claim_periodic`): a job beat sends on a period (weekly
  digests, sweeps) claims its run in the database first; a second beat's copy of the
  same tick finds it ran within half the period and does nothing.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import socket
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery.signals import celeryd_after_setup, worker_ready, worker_shutdown
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from reviewer.git.mirror import prune_clone, prune_trees
from reviewer.models import PeriodicRun, Project, WorkerMachine

logger = logging.getLogger(__name__)

SHARED_QUEUE = "scans"
#: Workers of these queues fetch repositories, so they keep a cache to look after.
CACHE_QUEUES = frozenset({SHARED_QUEUE, "backfill", "claude"})
#: A machine row not seen for this long is removed (by any machine's housekeeping).
FORGET_AFTER = timedelta(days=1)
_CACHE_NAME = re.compile(r"^project-(\d+)$")


def machine_name() -> str:
    """This machine's name: ``REVIEWDECK_MACHINE``, else the host name (queue-safe)."""
    name = settings.REVIEWDECK_MACHINE or socket.gethostname()
    return re.sub(r"[^A-Za-z0-9_.-]", "-", name)[:64] or "machine"


def machine_queue(name: str) -> str:
    return f"{SHARED_QUEUE}.{name}"


# ------------------------------------------------------------------------------ routing


def live_machines() -> list[str]:
    since = timezone.now() - timedelta(seconds=settings.REVIEWDECK_MACHINE_STALE_SECONDS)
    return list(WorkerMachine.objects.filter(seen_at__gte=since).values_list("name", flat=True))


def owner(project_id: int, machines: list[str]) -> str:
    """The machine a project belongs to among ``machines`` (rendezvous hashing: the
    highest hash of machine and project wins; removing a machine moves only its own
    projects, adding one takes about 1/n of everyone's)."""
    return max(
        machines,
        key=lambda m: hashlib.sha256(f"{m}\0{project_id}".encode()).digest(),
    )


def scan_queue(project_id: int) -> str:
    """Where a new scan of the project goes: its machine's queue when routing is on and
    some machine is up, else the shared queue."""
    if not settings.REVIEWDECK_ROUTE_SCANS:
        return SHARED_QUEUE
    machines = live_machines()
    return machine_queue(owner(project_id, machines)) if machines else SHARED_QUEUE


# ------------------------------------------------------------------------- housekeeping


def prune_caches(workdir: Path | None = None) -> dict[str, int]:
    """Remove this machine's caches of deleted projects, clones unused for
    ``REVIEWDECK_CLONE_KEEP_SECONDS`` and trees unused for ``REVIEWDECK_TREE_KEEP_SECONDS``.
    A cache in use (its file lock held) is left for next time. Returns counts."""
    root = Path(workdir or settings.REVIEWDECK_WORKDIR)
    clones = _caches(root)
    trees = _caches(root / "trees")
    # Listed before asking the database: a cache exists only for a project that did, so
    # an id missing now is a deleted project (a project created meanwhile has no cache).
    ids = set(clones) | set(trees)
    existing = set(Project.objects.filter(pk__in=ids).values_list("pk", flat=True))
    counts = {"deleted": 0, "unused": 0, "trees": 0}
    for pk, path in clones.items():
        gone = pk not in existing
        keep = 0 if gone else settings.REVIEWDECK_CLONE_KEEP_SECONDS
        if prune_clone(path, keep, forget_lock=gone):
            counts["deleted" if gone else "unused"] += 1
    for pk, path in trees.items():
        gone = pk not in existing
        counts["trees"] += prune_trees(path, 0 if gone else settings.REVIEWDECK_TREE_KEEP_SECONDS)
        if gone and not any(e.is_dir() and not e.name.startswith(".") for e in path.iterdir()):
            shutil.rmtree(path, ignore_errors=True)  # its lock files and left-overs
    return counts


def _caches(root: Path) -> dict[int, Path]:
    if not root.is_dir():
        return {}
    found = {}
    for entry in root.iterdir():
        match = _CACHE_NAME.match(entry.name)
        if match and entry.is_dir() and not entry.is_symlink():
            found[int(match.group(1))] = entry
    return found


# ------------------------------------------------------------------------ one run a tick


def beat_period(name: str) -> timedelta:
    """How often beat sends the job ``name`` of ``CELERY_BEAT_SCHEDULE``; for a crontab,
    the time from now to its next run (run just after it fired: its coming gap)."""
    schedule = settings.CELERY_BEAT_SCHEDULE[name]["schedule"]
    if isinstance(schedule, int | float):
        return timedelta(seconds=schedule)
    if isinstance(schedule, timedelta):
        return schedule
    return schedule.remaining_estimate(timezone.now())  # type: ignore[attr-defined]


def claim_periodic(name: str) -> bool:
    """Claim this tick of the beat job ``name`` (``CELERY_BEAT_SCHEDULE``): True for the
    first claim; False when it ran within half its period (a second beat's copy)."""
    now = timezone.now()
    period = beat_period(name)
    claimed = PeriodicRun.objects.filter(name=name, ran_at__lte=now - period / 2).update(ran_at=now)
    if claimed:
        return True
    try:
        with transaction.atomic():
            PeriodicRun.objects.create(name=name, ran_at=now)
    except IntegrityError:  # it exists and ran within half the period
        return False
    return True


def already_ran(request: Any, name: str) -> bool:
    """Is this beat tick of job ``name`` a copy another beat's tick already ran? A direct
    call (a shell, a test) always runs."""
    return not request.called_directly and not claim_periodic(name)


# ------------------------------------------------------------------------- the worker


class MachineThread:
    """The worker's machine duties, in a thread of its main process: say the machine is
    up (scan workers) and prune its caches."""

    def __init__(self, name: str, *, routed: bool) -> None:
        self.name = name
        self.routed = routed
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, name="reviewdeck-machine", daemon=True)

    def run(self) -> None:
        beat = settings.REVIEWDECK_MACHINE_BEAT_SECONDS
        prune_every = settings.REVIEWDECK_PRUNE_SECONDS
        waited = 0.0
        while True:
            try:
                if self.routed:
                    self.seen()
                if waited >= prune_every:
                    waited = 0.0
                    counts = prune_caches()
                    if any(counts.values()):
                        logger.info("machine %s pruned its caches: %s", self.name, counts)
            except Exception:  # never stop on a database hiccup: try again next beat
                logger.warning("machine %s: housekeeping failed", self.name, exc_info=True)
            finally:
                connection.close()  # no connection held between beats
            step = min(beat, prune_every) if self.routed else prune_every
            if self.stop.wait(step):
                break
            waited += step
        if self.routed:
            try:
                WorkerMachine.objects.filter(name=self.name).delete()  # gone: route elsewhere
            except Exception:
                logger.warning("machine %s: could not say it stopped", self.name, exc_info=True)
            finally:
                connection.close()

    def seen(self) -> None:
        now = timezone.now()
        WorkerMachine.objects.update_or_create(name=self.name, defaults={"seen_at": now})
        WorkerMachine.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


_machine: MachineThread | None = None


def _consumes(instance: Any) -> set[str]:
    return set(instance.app.amqp.queues.consume_from)


@celeryd_after_setup.connect
def _add_machine_queue(sender: Any = None, instance: Any = None, **kwargs: Any) -> None:
    """A scan worker also takes its machine's own queue (routed scans)."""
    if instance is not None and SHARED_QUEUE in _consumes(instance):
        instance.app.amqp.queues.select_add(machine_queue(machine_name()))


@worker_ready.connect
def _start_machine(sender: Any = None, **kwargs: Any) -> None:
    global _machine
    try:
        consumes = _consumes(sender) if sender is not None else set()
        if consumes & CACHE_QUEUES:
            _machine = MachineThread(machine_name(), routed=SHARED_QUEUE in consumes)
            _machine.thread.start()
    except Exception:  # never keep a worker from starting
        logger.exception("could not start the machine's housekeeping")


@worker_shutdown.connect
def _stop_machine(sender: Any = None, **kwargs: Any) -> None:
    if _machine is not None:
        _machine.stop.set()
        _machine.thread.join(10)
