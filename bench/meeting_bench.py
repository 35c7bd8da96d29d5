"""The weekly meeting page at the size of a real team's week, against peers in the same run.

Starts a throwaway PostgreSQL, builds one team with ``--projects`` projects whose week
holds ``--findings`` new critical/important findings (16 rules, paths like Alembic
versions) on top of ``--old`` older open findings, and times through Django's test client
(view, queries, template):

- the meeting page (groups by rule, carried actions, debt, fixed/reopened);
- one opened group (its first page of 50 rows) and the Markdown export (every finding);
- peers: the Meetings list page (the stack's floor: login, layout, two small queries),
  and the meeting's new findings rendered as rows all at once (what a page without
  groups and paging does).

    uv run python bench/meeting_bench.py [--findings 400] [--old 100000] [--projects 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import django_on_fresh_postgres  # noqa: E402
from bench.pages_bench import line, p95, timed  # noqa: E402

RULES = ["AS001", "SA007", "FA001", "SA001", "SA002", "SA004", "SA005", "PD001"]
RULES += ["PD002", "PD003", "AL001", "AL002", "PT001", "CQ003", "FA002", "FA003"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--findings", type=int, default=400)
    parser.add_argument("--old", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    with django_on_fresh_postgres("reviewdeck-meeting-bench-"):
        from django.conf import settings
        from django.contrib.auth.models import Group, User
        from django.db import connection
        from django.template.loader import render_to_string
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse
        from django.utils import timezone

        from reviewer.engine.types import line_hash
        from reviewer.meetings import GroupPage, window_findings
        from reviewer.models import Finding, Meeting, Project, Scan, ScanSummary, Severity

        # Templates name static files; this run serves none, so plain names will do.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        started = time.perf_counter()
        team = Group.objects.create(name="backend")
        user = User.objects.create_user("lead")
        user.groups.add(team)
        now = timezone.now()
        rows = []
        for p in range(args.projects):
            project = Project.objects.create(
                name=f"service-{p:02d}", slug=f"service-{p:02d}", repo_url="/x", team=team
            )
            old = Scan.objects.create(project=project, status="succeeded")
            week = Scan.objects.create(project=project, status="succeeded")
            Scan.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=30))
            Scan.objects.filter(pk=week.pk).update(created_at=now - timedelta(days=2))
            for scan, minutes in ((old, 600), (week, 540)):
                scan.refresh_from_db()
                ScanSummary.objects.create(
                    scan=scan, project=project, created_at=scan.created_at, debt_minutes=minutes
                )
            for i in range(args.old // args.projects + args.findings // args.projects):
                new = i < args.findings // args.projects
                rule = RULES[i % len(RULES)]
                text = f"rows = session.query(User{i}).all()"
                rows.append(
                    Finding(
                        project=project,
                        rule_id=rule,
                        category="sqlalchemy",
                        agent="python-backend-reviewer",
                        severity=Severity.CRITICAL
                        if rule in {"AS001", "SA007"}
                        else (Severity.IMPORTANT if new else Severity.SUGGESTION),
                        confidence=90,
                        title=f"{rule} finding {i}",
                        message="Use select()",
                        path=f"backend/app/alembic/versions/2024_{i % 40:02d}_change.py",
                        line=i + 1,
                        snippet=text,
                        line_hash=line_hash(text),
                        first_seen_scan=week if new else old,
                        last_seen_scan=week,
                    )
                )
        Finding.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        previous = Meeting.objects.create(team=team, title="last week", since=now)
        Meeting.objects.filter(pk=previous.pk).update(started_at=now - timedelta(days=7))
        meeting = Meeting.objects.create(team=team, title="bench", since=now - timedelta(days=7))
        print(
            f"{args.projects} projects, {args.findings} new + {args.old} older findings "
            f"(built in {time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        client = Client()
        client.force_login(user)

        def get(url: str) -> Callable[[], object]:
            def run() -> object:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                return response

            return run

        def every_row() -> object:
            found = list(
                window_findings(team, meeting.since)
                .select_related("project", "assignee")
                .order_by("severity", "rule_id", "project__name", "path", "line", "id")
            )
            return render_to_string(
                "dashboard/meeting_group.html",
                {"meeting": meeting, "found": GroupPage("ALL", found, 1, False), "members": []},
            )

        pages = {
            "meeting page": meeting.get_absolute_url(),
            "one group opened (50 rows)": reverse(
                "dashboard:meeting_group", args=[meeting.pk, "SA001"]
            ),
            "Markdown export (every finding)": reverse(
                "dashboard:meeting_markdown", args=[meeting.pk]
            ),
            "peer: meetings list (floor)": reverse("dashboard:meetings"),
        }
        results = {name: timed(get(url), args.repeat) for name, url in pages.items()}
        results["peer: every new finding as rows"] = timed(every_row, args.repeat)
        for name, values in results.items():
            print(line(name, values))
        floor = p95(results["peer: meetings list (floor)"])
        flat = p95(results["peer: every new finding as rows"])
        page = p95(results["meeting page"])
        print(f"\n  meeting page p95 / floor p95: {page / floor:.1f}x")
        print(f"  meeting page p95 / every-row peer p95: {page / flat:.2f}x")
        with CaptureQueriesContext(connection) as ctx:
            client.get(meeting.get_absolute_url())
        print(f"  meeting page queries: {len(ctx.captured_queries)}, slowest:")
        slow = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:4]
        for q in slow:
            print(f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][:150]}")
        started = time.perf_counter()
        from reviewer.meetings import agenda

        agenda(team, meeting.since)
        print(f"  agenda() alone: {(time.perf_counter() - started) * 1000:.1f} ms")
        print(f"  median of the meeting page: {statistics.median(results['meeting page']):.1f} ms")


if __name__ == "__main__":
    main()
