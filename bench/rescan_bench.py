"""Re-scan benchmark: a one-file change against the first scan, and database growth.

    uv run python bench/rescan_bench.py [--modules 60] [--rescans 40]

Generates a repository of ``--modules`` FastAPI / SQLAlchemy / Pydantic modules (~10
findings each, ``bench/engine_bench.py``'s module), registers it on a throwaway
PostgreSQL and scans it in this process the way a worker does (``run_scan``: sync,
review, record). Then, ``--rescans`` times, commits a one-line change to one file (a line
inserted near the top, so that file's findings move) and scans again. Prints, in one run:

* the first scan's duration (the named peer) and the re-scans' median, as a ratio to it
  (target <= 0.5x), with where the time went (sync, review, record);
* the database's growth over the re-scans (``pg_total_relation_size`` of every table,
  before and after; one ``VACUUM ANALYZE`` before, so what the first scan's inserts
  leave to autovacuum does not count as re-scan growth), extrapolated to 1,000 re-scans
  (target < 10 MB), and rows written per re-scan by table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.engine_bench import MODULE  # noqa: E402
from bench.harness import django_on_fresh_postgres  # noqa: E402

GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, check=True, capture_output=True
    )


def make_repo(path: Path, modules: int) -> list[Path]:
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    files = []
    for n in range(modules):
        target = path / "app" / f"pkg{n // 20}" / f"orders_{n}.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(MODULE.format(n=n))
        files.append(target)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "first")
    return files


def change_one_file(repo: Path, target: Path, n: int) -> None:
    """A one-line change near the top of one file: its findings below move by a line."""
    lines = target.read_text().splitlines(keepends=True)
    lines.insert(2, f"CHANGE_{n} = {n}\n")
    target.write_text("".join(lines))
    git(repo, "commit", "-q", "-am", f"change {n}")


class Phases:
    """Wall time per step of ``run_scan``, by wrapping the module's functions."""

    def __init__(self) -> None:
        self.times: dict[str, float] = defaultdict(float)

    def wrap(self, module: Any, name: str) -> None:
        func: Callable[..., Any] = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.times[name] += time.perf_counter() - started

        setattr(module, name, timed)

    def take(self) -> dict[str, float]:
        taken, self.times = dict(self.times), defaultdict(float)
        return taken


def table_bytes() -> dict[str, int]:
    """``pg_total_relation_size`` (table, indexes, TOAST) of every table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid), "
            "pg_indexes_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = 'public'"
        )
        sizes: dict[str, int] = {}
        for name, total, heap, indexes in cursor.fetchall():
            sizes[name] = int(total)
            if name == "reviewer_finding":  # where its growth is: rows, indexes, the rest
                sizes[f"{name} (heap)"] = int(heap)
                sizes[f"{name} (indexes)"] = int(indexes)
        return sizes


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def rows_written() -> dict[str, int]:
    """Rows inserted + updated per table so far (PostgreSQL's statistics)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables "
            "WHERE relname LIKE 'reviewer_%%'"
        )
        rows = cursor.fetchall()
        return {name: int(count) for name, count, _ in rows} | {
            f"{name} (HOT updates)": int(hot) for name, _, hot in rows
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", type=int, default=60)
    parser.add_argument("--rescans", type=int, default=40)
    parser.add_argument(
        "--profile", action="store_true", help="print where one more re-scan spends its time"
    )
    args = parser.parse_args()

    with django_on_fresh_postgres("rescan-bench-") as base:
        os.environ["REVIEWDECK_LOCAL_REPO_ROOTS"] = str(base)
        from django.conf import settings

        settings.REVIEWDECK_LOCAL_REPO_ROOTS = [base.resolve()]
        settings.REVIEWDECK_WORKDIR = base / "work"

        from reviewer import scanning
        from reviewer.models import Finding, Project, Scan

        phases = Phases()
        for name in ("sync_project", "review_tree", "record_results"):
            phases.wrap(scanning, name)

        repo = base / "repo"
        files = make_repo(repo, args.modules)
        project = Project.objects.create(name="bench", repo_url=str(repo), branch="main")

        def scan_once() -> tuple[float, dict[str, float]]:
            scan, _ = scanning.request_scan(project, Scan.Trigger.CLI)
            started = time.perf_counter()
            scanning.run_scan(scan.pk)
            elapsed = time.perf_counter() - started
            scan.refresh_from_db()
            if scan.status != Scan.Status.SUCCEEDED:
                raise SystemExit(f"scan failed: {scan.error}")
            return elapsed, phases.take()

        first, first_phases = scan_once()
        findings = Finding.objects.filter(project=project).count()
        print(f"repository: {args.modules} modules, {findings} findings after the first scan")

        # One warm-up re-scan (the first re-scan pays for a fresh connection's caches too).
        change_one_file(repo, files[0], 0)
        scan_once()

        # Settle what the first scan left (its inserts still in the trigram indexes'
        # pending lists, free-space maps not made yet), so the growth below is the
        # re-scans' own; nothing is vacuumed after them.
        vacuum()
        before_bytes, before_rows = table_bytes(), rows_written()
        times: list[float] = []
        spent: dict[str, list[float]] = defaultdict(list)
        for n in range(1, args.rescans + 1):
            change_one_file(repo, files[n % len(files)], n)
            elapsed, taken = scan_once()
            times.append(elapsed)
            for name, value in taken.items():
                spent[name].append(value)
        after_bytes, after_rows = table_bytes(), rows_written()

        if args.profile:
            import cProfile
            import pstats

            change_one_file(repo, files[1], args.rescans + 1)
            profiler = cProfile.Profile()
            profiler.runcall(scan_once)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)

        rescan = statistics.median(times)
        print(f"\n{'':<28}{'first scan':>12}{'re-scan p50':>14}")
        print(f"{'whole scan (run_scan)':<28}{first:>10.3f} s{rescan:>12.3f} s")
        for name in ("sync_project", "review_tree", "record_results"):
            print(
                f"{name:<28}{first_phases.get(name, 0):>10.3f} s"
                f"{statistics.median(spent[name]) if spent[name] else 0:>12.3f} s"
            )
        print(
            f"\nre-scan after a one-file change: {rescan / first:.2f}x the first scan "
            f"(target <= 0.5x; {args.rescans} re-scans, min {min(times):.3f} s, "
            f"max {max(times):.3f} s)"
        )
        growth = sum(v for k, v in after_bytes.items() if "(" not in k) - sum(
            v for k, v in before_bytes.items() if "(" not in k
        )
        per_thousand = growth / args.rescans * 1000 / 1e6
        print(
            f"database growth: {growth / 1e6:.2f} MB over {args.rescans} re-scans "
            f"-> {per_thousand:.1f} MB per 1,000 re-scans (target < 10 MB)"
        )
        print(f"{'per re-scan':<38}{'rows written':>14}{'bytes grown':>14}")
        for table in sorted(after_bytes.keys() | after_rows.keys()):
            written = after_rows.get(table, 0) - before_rows.get(table, 0)
            grown = after_bytes.get(table, 0) - before_bytes.get(table, 0)
            if written or grown:
                print(f"  {table:<36}{written / args.rescans:>14.1f}{grown / args.rescans:>14.0f}")


if __name__ == "__main__":
    main()
