"""Fleet benchmark: many scheduled projects, workers on two "machines", a web with no clone.

Starts a throwaway PostgreSQL and Redis, one beat, a dispatcher worker (queues schedule
and maintenance), two groups of scan workers standing for two machines (each with its
own REVIEWDECK_WORKDIR and data folder: nothing shared but PostgreSQL and Redis) and a
gunicorn web server whose work folder stays empty. Registers generated repositories
(30-60 modules each, ~10 findings a module) on interval schedules, changes some of them
(one file each) between intervals, and prints per interval:

- scans started / finished, failures, duplicates (two scans of a project in one slot);
- due-to-start p50/p95/max: from the moment the project's slot was due (its schedule
  offset plus whole intervals) to the scan's start, so tick and queue delays count;
- scan duration p50/p95 of first scans, "no change" runs and real re-scans;
- repositories cached per machine, database growth, worker memory (RSS of each
  machine's worker processes, largest sample in the interval);
- scans still queued at the interval's end (backlog) and the machine's load average
  (mean and max of the 1-minute figure sampled during the interval: other programs on
  the machine compete for the same cores);

and at the end a page check: a finding page fetched from the web server (no clone)
must show the code around the finding, not only the flagged line. That needs the
excerpts stored at scan time; when the page shows only the stored line, "not checked".

    uv run python bench/fleet.py [--projects 1000] [--interval 300] [--intervals 6]
                                 [--changes 50] [--concurrency 2] [--ruff 1] [--route]

The issue's figures are the defaults (1,000 projects every 5 minutes for 30 minutes);
on a shared 2-core machine use e.g. --projects 100 --interval 60.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import django_on_fresh_postgres  # noqa: E402
from tests.services import RedisServer  # noqa: E402

SECRET_KEY = "fleet-bench-" + "k" * 50
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def module(project: int, index: int, version: int = 0) -> str:
    """A module with a handful of findings; each flagged line has a marker comment
    two lines above it (the page check looks for it)."""
    blocks = []
    for block in range(3):
        blocks.append(
            f"# marker p{project} m{index} b{block} v{version}\n"
            f"async def handler_{block}_{version}(session, user_id, items=[]):\n"
            f"    time.sleep(1)\n"
            f'    rows = session.execute(f"SELECT * FROM t WHERE id = {{user_id}}")\n'
            f"    try:\n"
            f"        return rows.all()\n"
            f"    except:\n"
            f"        return items\n"
        )
    return "import time\n\n\n" + "\n\n".join(blocks)


def git(path: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args], cwd=path, env={**os.environ, **GIT_ENV}, check=True, capture_output=True
    )


def make_repo(path: Path, project: int, rng: random.Random) -> int:
    path.mkdir(parents=True)
    files = rng.randint(30, 60)
    (path / "app").mkdir()
    for index in range(files):
        (path / "app" / f"mod{index:02d}.py").write_text(module(project, index))
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "initial")
    return files


def change_repo(path: Path, project: int, version: int, rng: random.Random) -> None:
    """A one-file change: one module gets a new block (one more set of findings)."""
    files = sorted((path / "app").glob("mod*.py"))
    target = rng.choice(files)
    index = int(target.stem[3:])
    block = module(project, index, version).split("\n\n\n", 1)[1]
    target.write_text(target.read_text() + "\n\n" + block)
    git(path, "commit", "-q", "-am", f"change {version}")


# ---------------------------------------------------------------------------- processes


def rss_tree(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend(int(c) for c in children)
        except (OSError, ValueError):
            continue
    return total


@dataclass
class Machine:
    name: str
    work: Path
    data: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    peak_rss: int = 0

    def sample(self) -> None:
        self.peak_rss = max(self.peak_rss, sum(rss_tree(p.pid) for p in self.procs))

    def clones(self) -> int:
        return (
            sum(1 for p in self.work.glob("project-*") if p.is_dir()) if self.work.is_dir() else 0
        )

    def trees(self) -> int:
        root = self.work / "trees"
        return sum(1 for p in root.glob("project-*/*") if p.is_dir()) if root.is_dir() else 0


def celery(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "dashboard", *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def wait_ready(
    log: Path, proc: subprocess.Popen[bytes], marker: bytes, timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    while marker not in log.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{log.name}:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)


# ------------------------------------------------------------------------------ figures


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def fmt(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values):.2f}/{pct(values, 0.95):.2f}"


def db_size() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


@dataclass
class Slots:
    """When each project's scheduled runs were due: its start time plus whole intervals."""

    start: dict[int, datetime]
    every: timedelta

    def due(self, project_id: int, at: datetime) -> datetime:
        first = self.start[project_id]
        n = max(0, int((at - first) / self.every + 0.5))
        return first + n * self.every

    def slot(self, project_id: int, at: datetime) -> int:
        return max(0, int((at - self.start[project_id]) / self.every + 0.5))


def interval_report(lo: datetime, hi: datetime, slots: Slots) -> dict[str, object]:
    from reviewer.models import Scan

    scheduled = Scan.objects.filter(trigger=Scan.Trigger.SCHEDULE)
    started = [
        (pid, at)
        for pid, at in scheduled.filter(started_at__gte=lo, started_at__lt=hi).values_list(
            "project_id", "started_at"
        )
        if at is not None
    ]
    finished = scheduled.filter(finished_at__gte=lo, finished_at__lt=hi).values_list(
        "status", "started_at", "finished_at", "is_baseline", "error"
    )
    delays = [(at - slots.due(pid, at)).total_seconds() for pid, at in started]
    kinds: dict[str, list[float]] = defaultdict(list)
    failures = []
    count = 0
    for status, start, end, baseline, error in finished:
        count += 1
        seconds = (end - start).total_seconds() if start and end else 0.0
        if status == Scan.Status.SKIPPED:
            kinds["no change"].append(seconds)
        elif status == Scan.Status.SUCCEEDED:
            kinds["first" if baseline else "re-scan"].append(seconds)
        else:
            failures.append(error)
    return {
        "started": len(started),
        "finished": count,
        "delays": delays,
        "kinds": kinds,
        "failures": failures,
    }


def duplicates(slots: Slots, before: datetime | None = None) -> int:
    """Scheduled scans beyond the first of a project in one of its slots (created before
    ``before`` when given)."""
    from reviewer.models import Scan

    scheduled = Scan.objects.filter(trigger=Scan.Trigger.SCHEDULE)
    if before is not None:
        scheduled = scheduled.filter(created_at__lt=before)
    seen: dict[tuple[int, int], int] = defaultdict(int)
    for pid, created in scheduled.values_list("project_id", "created_at"):
        seen[(pid, slots.slot(pid, created))] += 1
    return sum(n - 1 for n in seen.values() if n > 1)


# --------------------------------------------------------------------------- page check


def page_check(url: str, session: str, repos: Path) -> str:
    from reviewer.models import Finding

    finding = (
        Finding.objects.filter(rule_id="AS001", status=Finding.Status.OPEN)
        .select_related("project", "last_seen_scan")
        .order_by("id")
        .first()
    )
    if finding is None or finding.last_seen_scan is None:
        return "not checked (no finding to show)"
    # The marker comment sits two lines above the flagged time.sleep line.
    source = subprocess.run(
        ["git", "show", f"{finding.last_seen_scan.commit_sha}:{finding.path}"],
        cwd=repos / finding.project.name,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV},
    ).stdout.splitlines()
    marker = source[finding.line - 3]
    host, port = url.removeprefix("http://").split(":")
    conn = HTTPConnection(host, int(port), timeout=60)
    path = f"/projects/{finding.project.slug}/findings/{finding.pk}/"
    conn.request("GET", path, headers={"Cookie": f"sessionid={session}"})
    response = conn.getresponse()
    html = response.read().decode("utf-8", "replace")
    if response.status != 200:
        return f"FAILED: {path} answered {response.status}"
    if marker in html:
        return f"ok: {path} shows the code around line {finding.line} (web server, no clone)"
    return (
        "not checked (the web server shows only the stored line: code excerpts are not "
        "stored at scan time yet)"
    )


# --------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--interval", type=int, default=300, help="schedule interval, seconds")
    parser.add_argument("--intervals", type=int, default=6, help="intervals measured")
    parser.add_argument("--changes", type=int, default=50, help="repositories changed per interval")
    parser.add_argument("--concurrency", type=int, default=2, help="scan processes per machine")
    parser.add_argument("--ruff", type=int, default=1, help="REVIEWDECK_RUFF for the workers")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument(
        "--route",
        action="store_true",
        help="REVIEWDECK_ROUTE_SCANS: each project's scans go to the machine that caches it",
    )
    args = parser.parse_args()

    redis = RedisServer().start()
    os.environ["CELERY_BROKER_URL"] = redis.url
    os.environ["SECRET_KEY"] = SECRET_KEY  # the web server checks the bench's session
    # The web server's static files, collected for this run (hashed names, manifest).
    os.environ["STATIC_ROOT"] = tempfile.mkdtemp(prefix="reviewdeck-fleet-static-")
    try:
        with django_on_fresh_postgres("reviewdeck-fleet-") as base:
            run(args, base, redis.url)
    finally:
        redis.close()


def run(args: argparse.Namespace, base: Path, broker: str) -> None:
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.test import Client

    from reviewer import schedules
    from reviewer.models import Project
    from tests.processes import web_process

    call_command("collectstatic", interactive=False, verbosity=0)
    rng = random.Random(args.seed)
    repos = base / "repos"
    print(f"generating {args.projects} repositories ...", flush=True)
    started = time.perf_counter()
    modules = [make_repo(repos / f"svc-{i:04d}", i, rng) for i in range(args.projects)]
    print(
        f"  {sum(modules)} modules in {time.perf_counter() - started:.0f} s "
        f"({min(modules)}-{max(modules)} per repository)"
    )

    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker,
        "REVIEWDECK_LOCAL_REPO_ROOTS": str(repos),
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "REVIEWDECK_RUFF": str(args.ruff),
        "REVIEWDECK_ROUTE_SCANS": "1" if args.route else "0",
    }

    def machine_env(m: Machine) -> dict[str, str]:
        return {
            **env,
            "REVIEWDECK_MACHINE": m.name,
            "REVIEWDECK_WORKDIR": str(m.work),
            "REVIEWDECK_DATA_DIR": str(m.data),
        }

    machines = [
        Machine(n, base / n / "work", base / n / "data") for n in ("machine-a", "machine-b")
    ]
    web_machine = Machine("web", base / "web" / "work", base / "web" / "data")
    logs = base / "logs"
    logs.mkdir()
    all_procs: list[subprocess.Popen[bytes]] = []
    try:
        for m in machines:
            log = logs / f"{m.name}.log"
            proc = celery(
                [
                    "worker",
                    "-Q",
                    "scans,backfill",
                    "--concurrency",
                    str(args.concurrency),
                    "--hostname",
                    f"{m.name}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel",
                    "INFO",
                ],
                machine_env(m),
                log,
            )
            m.procs.append(proc)
            all_procs.append(proc)
            wait_ready(log, proc, b"ready.")
        # Beat and its dispatcher live on machine A (they keep no repository).
        dispatch_log = logs / "dispatcher.log"
        dispatcher = celery(
            [
                "worker",
                "-Q",
                "schedule,maintenance",
                "--pool",
                "threads",
                "--concurrency",
                "4",
                "--hostname",
                "dispatcher@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
            ],
            machine_env(machines[0]),
            dispatch_log,
        )
        all_procs.append(dispatcher)
        wait_ready(dispatch_log, dispatcher, b"ready.")

        beat_log = logs / "beat.log"
        beat = celery(
            ["beat", "--loglevel", "INFO", "--schedule", str(base / "beat-schedule")],
            machine_env(machines[0]),
            beat_log,
        )
        all_procs.append(beat)
        wait_ready(beat_log, beat, b"beat: Starting")

        team = Group.objects.create(name="fleet")
        user = User.objects.create_user("fleet", password="fleet-pass-1")
        user.groups.add(team)
        client = Client()
        client.force_login(user)
        session = client.cookies["sessionid"].value
        print(f"registering {args.projects} projects every {args.interval} s ...", flush=True)
        projects = []
        for i in range(args.projects):
            project = Project.objects.create(
                name=f"svc-{i:04d}",
                slug=f"svc-{i:04d}",
                repo_url=str(repos / f"svc-{i:04d}"),
                team=team,
                backfill_weeks=0,
            )
            schedules.set_schedule(
                project, schedules.Schedule("interval"), every_seconds=args.interval
            )
            projects.append(project)
        from django_celery_beat.models import PeriodicTask

        slots = Slots(
            {
                int(t.args.strip("[]")): t.start_time
                for t in PeriodicTask.objects.filter(task=schedules.TASK_NAME)
            },
            timedelta(seconds=args.interval),
        )
        t0 = datetime.now(UTC)  # every project's first slot is within the first interval
        size0 = db_size()
        print(
            f"machines: 2 x {args.concurrency} scan processes (prefork), a dispatcher, one beat;"
            f" {args.changes} repositories changed per interval; ruff {args.ruff};"
            f" scans routed by project: {'yes' if args.route else 'no'}"
        )
        header = (
            f"{'int':>3} {'started':>7} {'finished':>8} {'due->start p50/p95/max s':>25} "
            f"{'first p50/p95':>13} {'no-chg p50/p95':>14} {'re-scan p50/p95':>15} "
            f"{'clones A/B':>10} {'trees A/B':>9} {'db +MB':>7} {'RSS A/B MB':>11} {'fail':>4} "
            f"{'dup':>3} {'queued':>6} {'load avg/max':>12}"
        )
        print(header)
        changed_version = 0
        dups_before = 0
        from reviewer.models import Scan

        with web_process({**machine_env(web_machine), "DEBUG": "0"}, logs / "web.log") as url:
            for k in range(args.intervals):
                lo, hi = t0 + k * slots.every, t0 + (k + 1) * slots.every
                if k > 0:  # changes land at the interval's start, before its ticks
                    changed_version += 1
                    for project in rng.sample(projects, min(args.changes, len(projects))):
                        change_repo(
                            Path(project.repo_url), int(project.name[4:]), changed_version, rng
                        )
                size_before = db_size()
                loads = [os.getloadavg()[0]]
                while datetime.now(UTC) < hi:
                    for m in machines:
                        m.sample()
                    loads.append(os.getloadavg()[0])
                    time.sleep(5)
                figures = interval_report(lo, hi, slots)
                kinds = figures["kinds"]
                delays = figures["delays"]
                failures = figures["failures"]
                assert isinstance(kinds, dict) and isinstance(delays, list)
                assert isinstance(failures, list)
                late = "-"
                if delays:
                    late = f"{pct(delays, 0.5):.1f}/{pct(delays, 0.95):.1f}/{max(delays):.1f}"
                print(
                    f"{k + 1:>3} {figures['started']:>7} {figures['finished']:>8} {late:>25} "
                    f"{fmt(kinds.get('first', [])):>13} {fmt(kinds.get('no change', [])):>14} "
                    f"{fmt(kinds.get('re-scan', [])):>15} "
                    f"{machines[0].clones():>4}/{machines[1].clones():<5} "
                    f"{machines[0].trees():>4}/{machines[1].trees():<4} "
                    f"{(db_size() - size_before) / 1e6:>7.1f} "
                    f"{machines[0].peak_rss / 1e6:>5.0f}/{machines[1].peak_rss / 1e6:<5.0f} "
                    f"{len(failures):>4} {duplicates(slots, hi) - dups_before:>3} "
                    f"{Scan.objects.filter(status=Scan.Status.QUEUED).count():>6} "
                    f"{statistics.fmean(loads):>6.1f}/{max(loads):<5.1f}",
                    flush=True,
                )
                dups_before = duplicates(slots, hi)
                for error in sorted(set(failures))[:3]:
                    print(f"      failure: {error[:160]}")
                for m in machines:
                    m.peak_rss = 0
            backlog = Scan.objects.filter(status=Scan.Status.QUEUED).count()
            print(f"queued at the end (backlog): {backlog}")
            print(f"duplicates (two scans of one project in one slot): {duplicates(slots)}")
            print(f"database growth over the run: {(db_size() - size0) / 1e6:.1f} MB")
            held = sorted(p.name for p in web_machine.work.glob("*")) or "nothing"
            print(f"web server's work folder holds: {held}")
            print(f"page check: {page_check(url, session, repos)}")
    finally:
        for proc in reversed(all_procs):
            proc.terminate()
        for proc in all_procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
