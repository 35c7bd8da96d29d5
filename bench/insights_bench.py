"""Trends, migration debt and meeting pages: server time at scale, against a named peer.

Starts a throwaway PostgreSQL, builds the data set of ``bench/dataset.py`` (``--projects``
projects with ``--weeks`` weekly scans and summaries, one project with ``--findings``
findings) and times, in the same run, through Django's test client (view, queries,
template):

- the trends page across projects (12 and 52 weeks), one project's trends with its
  insights (age, time to fix, hotspots, new code: GROUP BY queries over its findings),
  the migration-debt matrix, and a review meeting of the whole team;
- the peer: the same "open findings per severity per week" series recomputed in Python
  from every finding row (what DefectDojo's metrics pages do), over the same data.

Prints p50/p95 of each, the ratios, and the EXPLAIN of the weekly summary query.

    uv run python bench/insights_bench.py [--projects 100] [--weeks 52] [--findings 200000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import django_on_fresh_postgres  # noqa: E402
from bench.pages_bench import line, timed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--findings", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    with django_on_fresh_postgres("reviewdeck-insights-bench-"):
        from django.contrib.auth.models import User
        from django.db import connection
        from django.test import Client
        from django.utils import timezone

        from bench.dataset import build
        from reviewer.models import Finding, Meeting, ScanSummary

        print(
            f"building {args.projects} projects x {args.weeks} weekly scans, "
            f"{args.findings} findings ...",
            flush=True,
        )
        started = time.perf_counter()
        data = build(projects=args.projects, weeks=args.weeks, findings=args.findings)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
        meeting = Meeting.objects.create(
            team_id=data.team_id, title="bench", since=timezone.now() - timedelta(days=7)
        )

        client = Client()
        client.force_login(User.objects.get(username=data.username))

        def get(url: str) -> Callable[[], object]:
            def run() -> object:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                return response

            return run

        pages = {
            "trends, 12 weeks": "/trends/?weeks=12",
            "trends, 52 weeks": "/trends/?weeks=52",
            "trends (htmx range change)": "/trends/?weeks=26",
            "project trends + insights": f"/projects/{data.big_slug}/trends/",
            "migration debt matrix": "/debt/",
            "review meeting (whole team)": meeting.get_absolute_url(),
        }
        results = {name: timed(get(url), args.repeat) for name, url in pages.items()}

        now = timezone.now()
        starts = [now - timedelta(weeks=w) for w in range(12)]

        def peer() -> object:
            """Open findings per severity at the end of each of 12 weeks, from every row."""
            series = [Counter[int]() for _ in starts]
            rows = Finding.objects.values_list(
                "severity", "created_at", "status", "fixed_in_scan__created_at"
            )
            for severity, created, status, fixed in rows.iterator(chunk_size=5000):
                for i, end in enumerate(starts):
                    if created <= end and (status == "open" or (fixed and fixed > end)):
                        series[i][severity] += 1
            return series

        results["peer: 12 weeks from all findings"] = timed(peer, max(3, args.repeat // 5))

        print(
            f"\n{args.projects} projects, {data.scans} scans/summaries, "
            f"{data.findings} findings (server time per request):"
        )
        for name, values in results.items():
            print(line(name, values))
        peer_p50 = statistics.median(results["peer: 12 weeks from all findings"])
        print("\nratios (p50), page / peer that recomputes from findings:")
        for name in ("trends, 12 weeks", "trends, 52 weeks", "migration debt matrix"):
            print(f"  {name}: {statistics.median(results[name]) / peer_p50:.3f}x")

        from reviewer.metrics import weekly_by_project

        ids = list(ScanSummary.objects.values_list("project_id", flat=True).distinct())
        with connection.cursor() as cursor:
            connection.force_debug_cursor = True
            weekly_by_project(ids, 12)
            sql = connection.queries[-1]["sql"]
            connection.force_debug_cursor = False
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join("    " + row[0] for row in cursor.fetchall())
        print(f"\nEXPLAIN of the last weekly-summary query:\n{plan}")


if __name__ == "__main__":
    main()
