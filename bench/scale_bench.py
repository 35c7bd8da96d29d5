"""Page benchmark at scale: 100 projects, 10,000 scans, 1,000,000 findings in PostgreSQL.

Measures each dashboard page's time (p50/p95 over repeated requests from several
concurrent loopback clients against gunicorn), next to two peers measured in the same run:
a static file from the same server (the floor of this stack, measured again right before
each page, with the load average: the ratio to it is the figure that survives a busy
machine), and for the project page the same deep page fetched with OFFSET paging instead
of our keyset (what peers do).
Prints EXPLAIN ANALYZE of the heavy queries. Target: p95 under 200 ms for every page.

    uv run python bench/scale_bench.py [--findings 1000000] [--requests 40] [--clients 4]

Seeding 1M findings takes minutes of CPU: ``--keep DIR`` keeps the PostgreSQL cluster in
DIR and a later run with the same ``--keep DIR`` reuses it (migrating it first, so new
indexes are built on the kept data, then ``ANALYZE``). ``--seed-only`` builds it and stops,
so the build can run niced and the measuring run alone un-niced:

    nice -n 10 uv run python bench/scale_bench.py --keep /tmp/scale-1m --seed-only
    uv run python bench/scale_bench.py --keep /tmp/scale-1m
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.services import PostgresServer, RedisServer, free_port  # noqa: E402

SQL_DEFAULTS = {
    "text": "''",
    "character varying": "''",
    "integer": "0",
    "bigint": "0",
    "smallint": "0",
    "boolean": "false",
    "jsonb": "'{}'::jsonb",
    "numeric": "0",
    "timestamp with time zone": "now()",
    "date": "now()::date",
}


def seed(findings: int, projects: int, scans_per_project: int) -> dict[str, object]:
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from reviewer.models import Meeting, Project, Scan, ScanSummary

    call_command("migrate", verbosity=0)
    team = Group.objects.create(name="backend")
    user = User.objects.create_user("bench", password="bench-pass-1")
    user.groups.add(team)
    rng = random.Random(7)
    now = timezone.now()
    made = Project.objects.bulk_create(
        Project(name=f"service-{i:03d}", slug=f"service-{i:03d}", repo_url="/nowhere", team=team)
        for i in range(projects)
    )
    scans = Scan.objects.bulk_create(
        Scan(
            project=p,
            status=Scan.Status.SUCCEEDED,
            commit_sha=f"{i:040x}",
            finished_at=now - timedelta(hours=scans_per_project - i),
        )
        for p in made
        for i in range(scans_per_project)
    )
    Scan.objects.update(created_at=timezone.now() - timedelta(days=1))
    summaries = ScanSummary.objects.bulk_create(
        ScanSummary(
            scan=s,
            project_id=s.project_id,
            # History over the last year; no two scans finish at the same microsecond.
            created_at=now - timedelta(days=(len(scans) - i) % 365, microseconds=i),
            open_critical=rng.randrange(50),
            open_important=rng.randrange(500),
            open_suggestion=rng.randrange(2000),
            new_count=rng.randrange(20),
            fixed_count=rng.randrange(20),
            debt_minutes=rng.randrange(10000),
            by_debt_kind={"pydantic": {"count": 3, "minutes": 90}},
        )
        for i, s in enumerate(scans)
    )
    last = {s.project_id: s for s in summaries}
    for p in made:
        Project.objects.filter(pk=p.pk).update(
            last_scan_id=last[p.pk].scan_id, latest_summary=last[p.pk]
        )
    first_scan = {s.project_id: s.pk for s in reversed(scans)}
    big = made[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = "
            "'reviewer_finding' AND is_nullable = 'NO' AND column_default IS NULL"
        )
        columns = {name: SQL_DEFAULTS[kind] for name, kind in cursor.fetchall() if name != "id"}
        ids = [p.pk for p in made]
        # 30% of the findings in one big project, the rest spread over the others.
        columns.update(
            project_id=f"CASE WHEN g % 10 < 3 THEN {big.pk} ELSE "
            f"(ARRAY{ids[1:]})[1 + (g % {len(ids) - 1})] END",
            rule_id="(ARRAY['SA001','PD001','AS001','FA001','AL001','SA005','PT001'])[1 + g % 7]",
            category="(ARRAY['sqlalchemy','pydantic','asyncio','fastapi','alembic','sqlalchemy',"
            "'tests'])[1 + g % 7]",
            agent="'python-backend-reviewer'",
            severity="1 + (g % 3)",
            confidence="90",
            title="'Finding ' || g",
            message="'Use the 2.0 select() API'",
            path="'app/module_' || (g % 5000) || '.py'",
            line="1 + g % 800",
            snippet="'rows = session.query(User).all()'",
            line_hash="md5(g::text)",
            status="CASE WHEN g % 5 = 0 THEN 'fixed' ELSE 'open' END",
            triage="CASE WHEN g % 50 = 0 THEN 'false_positive' ELSE 'open' END",
            origin="'rules'",
            debt_kind="(ARRAY['pydantic','sqlalchemy','','fastapi',''])[1 + g % 5]",
            debt_minutes="10",
        )
        names = ", ".join(f'"{name}"' for name in columns)
        values = ", ".join(columns.values()).replace("%", "%%")
        cursor.execute(
            f"INSERT INTO reviewer_finding ({names}) SELECT {values} "
            f"FROM generate_series(1, %s) AS g",
            [findings],
        )
        cursor.execute(
            "UPDATE reviewer_finding SET first_seen_scan_id = %s, last_seen_scan_id = %s "
            "WHERE project_id = %s",
            [first_scan[big.pk], first_scan[big.pk], big.pk],
        )
        # The big project's fixed findings were fixed half-way through its history.
        middle = scans[scans_per_project // 2].pk
        cursor.execute(
            "UPDATE reviewer_finding SET fixed_in_scan_id = %s WHERE project_id = %s "
            "AND status = 'fixed'",
            [middle, big.pk],
        )
        # Vacuumed as a server that has run autovacuum since its last bulk change: the
        # pages are measured, not a vacuum of 1M fresh rows running next to them.
        cursor.execute("VACUUM ANALYZE")
    # Each project's last scan ran half an hour ago: the quiet meeting's window holds those
    # 100 scans, with nothing new or fixed in them; the weekly one holds every scan.
    Scan.objects.filter(pk__in=[s.scan_id for s in last.values()]).update(
        created_at=now - timedelta(minutes=30)
    )
    # What each project's last scan stored for the trends page's insights.
    from reviewer import metrics

    for p in made:
        ScanSummary.objects.filter(pk=last[p.pk].pk).update(
            insights=metrics.to_json(metrics.insights(p), now)
        )
    store_facets()
    meeting = Meeting.objects.create(team=team, title="weekly", since=now - timedelta(days=7))
    quiet = Meeting.objects.create(team=team, title="quiet", since=now - timedelta(hours=1))
    client = Client()
    client.force_login(user)
    from reviewer.models import Finding

    deep = Finding.objects.visible().filter(project=big).order_by("severity", "id")
    middle = deep.values_list("pk", flat=True)[findings // 10]
    one = deep.values_list("pk", flat=True).first()
    return {
        "session": client.cookies["sessionid"].value,
        "big": big.slug,
        "big_id": big.pk,
        "deep_after": middle,
        "finding": one,
        "scan": last[big.pk].scan_id,
        "meeting": meeting.pk,
        "quiet_meeting": quiet.pk,
    }


def store_facets() -> None:
    """What each project's last scan stores for its page's facets (a database seeded
    before migration 0023 gets them when reused)."""
    from reviewer.findings.summaries import facet_groups
    from reviewer.models import Project, ScanSummary

    for p in Project.objects.exclude(latest_summary__facet_groups__has_key="stamp"):
        latest = ScanSummary.objects.filter(project=p, pk=p.latest_summary_id or 0)
        latest.update(facet_groups=facet_groups(p))


class KeptPostgres(PostgresServer):
    """A PostgreSQL cluster in a folder that outlives the run (``--keep``): started on its
    existing data when there is one, stopped (not removed) at the end."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.data = base / "data"
        self.port = free_port()
        self.seeded = (base / "seed.json").exists()
        if not self.seeded:
            shutil.rmtree(base, ignore_errors=True)
            self.data.mkdir(parents=True)
            if os.geteuid() == 0:
                shutil.chown(base, "postgres")
                shutil.chown(self.data, "postgres")

    def start(self) -> KeptPostgres:
        if not self.seeded:
            super().start()
            return self
        (self.data / "postmaster.pid").unlink(missing_ok=True)  # a run that was killed
        self._ctl("start")
        return self

    def close(self) -> None:
        self._ctl("-m", "fast", "stop")


def login(seeded: dict[str, object]) -> dict[str, object]:
    """A fresh session for the bench user (a reused database's session may have expired)."""
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username="bench"))
    return {**seeded, "session": client.cookies["sessionid"].value}


def reuse(pg: KeptPostgres) -> dict[str, object]:
    """Migrate the kept database (new indexes are built on its data) and analyze it."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    store_facets()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return login(json.loads((pg.base / "seed.json").read_text()))


def measure(
    port: int, session: str, path: str, requests: int, clients: int
) -> tuple[list[float], int]:
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    per_client = max(1, requests // clients)

    def run() -> None:
        conn = HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(per_client):
            started = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": f"sessionid={session}"})
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                if response.status == 200:
                    times.append(elapsed)
                else:
                    errors[0] += 1
        conn.close()

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(times), errors[0]


def p95(times: list[float]) -> float:
    return times[max(0, int(len(times) * 0.95) - 1)] if times else float("nan")


def explain(label: str, query: object, params: list[Any] | None = None) -> None:
    """EXPLAIN ANALYZE of a queryset or of raw SQL: its time, the indexes it uses, the plan."""
    from django.db import connection

    if isinstance(query, str):
        sql, args = query, params or []
    else:
        sql, args = query.query.sql_with_params()  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF) {sql}", args)
        plan = [row[0] for row in cursor.fetchall()]
    found = re.findall(
        r"(?:Index|Index Only) Scan(?: Backward)? using (\w+)|Bitmap Index Scan on (\w+)",
        "\n".join(plan),
    )
    indexes = sorted({scan or bitmap for scan, bitmap in found})
    seq = [line.strip() for line in plan if "Seq Scan on reviewer_finding" in line]
    took = next((line for line in plan if line.startswith("Execution Time")), "")
    print(f"\nEXPLAIN {label}: {took}; indexes: {', '.join(indexes) or 'none'}"
          f"{'; SEQ SCAN of reviewer_finding' if seq else ''}")  # fmt: skip
    for line in plan[:8]:
        print(f"  {line[:160]}")


def peer_and_load(port: int, session: str, clients: int) -> tuple[float, float]:
    """The static file's p95 right now (the floor of this stack) and the 1-minute load."""
    times, _ = measure(port, session, "/static/css/app.css", 20, clients)
    return p95(times), os.getloadavg()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--findings", type=int, default=1_000_000)
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--scans-per-project", type=int, default=100)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the database in DIR")
    parser.add_argument("--seed-only", action="store_true", help="build the database, stop")
    parser.add_argument("--only", default="", help="measure only pages whose name has this")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="reviewdeck-pages-"))
    pg = KeptPostgres(args.keep) if args.keep else PostgresServer()
    pg.start()
    redis = RedisServer().start()
    proc = None
    try:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "dashboard.settings",
            "DATABASE_URL": pg.url,
            "CELERY_BROKER_URL": redis.url,
            "REVIEWDECK_DATA_DIR": str(base / "data"),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DEBUG": "0",
            # The manifest storage serves collected files only: collect into the run's folder.
            "STATIC_ROOT": str(base / "static"),
            "LOG_LEVEL": "WARNING",
        }
        os.environ.update(env)
        started = time.perf_counter()
        if isinstance(pg, KeptPostgres) and pg.seeded:
            data = reuse(pg)
            args.findings = int(str(data["findings"]))
            print(f"reusing {pg.base} ({args.findings} findings), migrated and analyzed "
                  f"in {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
        else:
            print(f"seeding {args.projects} projects, "
                  f"{args.projects * args.scans_per_project} scans, {args.findings} "
                  "findings ...", flush=True)  # fmt: skip
            data = seed(args.findings, args.projects, args.scans_per_project)
            data["findings"] = args.findings
            print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
            if isinstance(pg, KeptPostgres):
                (pg.base / "seed.json").write_text(json.dumps(data))
        if args.seed_only:
            return
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "dashboard.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", str(args.clients)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(3)
        big = f"/projects/{data['big']}/"
        pages = {
            "overview": "/",
            "project": big,
            # As the Next link reaches it (it carries the position: no count), and as a
            # bookmark without the position (one count of the rows before it).
            "project deep page": f"{big}?after={data['deep_after']}&at={args.findings // 10 + 2}",
            "project deep bookmark": f"{big}?after={data['deep_after']}",
            "project filtered": f"{big}?severity=critical&category=asyncio&path=app/module_1",
            "project search": f"{big}?q=module_42",
            "finding": f"{big}findings/{data['finding']}/",
            "scans": f"{big}scans/",
            "scan": f"{big}scans/{data['scan']}/",
            "trends (all)": "/trends/",
            "trends (project)": f"{big}trends/",
            "migration debt": "/debt/",
            "meeting (busy week)": f"/meetings/{data['meeting']}/",
            "meeting (quiet week)": f"/meetings/{data['quiet_meeting']}/",
        }
        session = str(data["session"])
        pages = {name: path for name, path in pages.items() if args.only in name}
        for path in pages.values():  # warm up every gunicorn worker
            measure(port, session, path, args.clients, args.clients)
        # Other work on the machine moves every figure: each page is measured right after
        # the static-file peer, and judged by its ratio to it as well as by its p95.
        print(f"\n{'page':<22} {'p50 ms':>8} {'p95 ms':>8} {'peer p95':>9} {'ratio':>6} "
              f"{'load':>5}  errors  (target p95 < 200 ms)")  # fmt: skip
        results = []
        for name, path in pages.items():
            peer, load = peer_and_load(port, session, args.clients)
            times, errors = measure(port, session, path, args.requests, args.clients)
            flag = "" if p95(times) < 0.2 else "  <-- over target"
            results.append((name, p95(times), peer))
            print(
                f"{name:<22} {statistics.median(times) * 1000:8.1f} {p95(times) * 1000:8.1f}"
                f" {peer * 1000:9.1f} {p95(times) / peer:6.1f} {load:5.2f}  {errors:6d}{flag}"
            )
        worst = max(results, key=lambda r: r[1])
        print(f"slowest page: {worst[0]} p95 {worst[1] * 1000:.0f} ms "
              f"({worst[1] / worst[2]:.0f}x the static peer's p95 next to it)")  # fmt: skip

        from django.db import connection, reset_queries

        from reviewer.finding_facets import groups_query
        from reviewer.finding_filters import FindingFilter, after_key, anchor_of
        from reviewer.models import Finding, Project, ScanSummary

        big_id = int(str(data["big_id"]))
        project = Project.objects.get(pk=big_id)
        qs = Finding.objects.visible().filter(project_id=big_id).order_by("severity", "id")
        offset = args.findings // 10
        after = int(str(data["deep_after"]))
        keyset = after_key(qs, after, project)[:50]  # the page's own query
        timings = {}
        for label, query in (
            ("keyset", keyset),
            ("OFFSET (peer)", qs[offset : offset + 50]),
        ):
            runs = []
            for _ in range(5):
                reset_queries()
                started = time.perf_counter()
                list(query.all())
                runs.append(time.perf_counter() - started)
            timings[label] = statistics.median(runs)
            print(f"deep page query, {label:<14}: {timings[label] * 1000:7.1f} ms")
        ratio = timings["OFFSET (peer)"] / timings["keyset"]
        print(f"ratio OFFSET/keyset at row {offset}: {ratio:.1f}x")
        from django.utils import timezone

        from reviewer import finding_counts, meetings
        from reviewer.models import Meeting

        explain("project page (keyset)", keyset)
        anchor = anchor_of(qs, after, project)
        # Only the anchor's severity is counted (the others come from the severity facet).
        position = qs.filter(severity=anchor or 0, pk__lte=after)
        sql, params = position.order_by().values("pk").query.sql_with_params()
        explain(
            "deep bookmark's position count", f"SELECT COUNT(*) FROM ({sql}) AS s", list(params)
        )
        # The facets: the page as opened reads the latest summary's stored groups; what
        # that replaces is the live GROUP BY (the previous bounded counts as its peer).
        explain(
            "project facets, stored groups",
            ScanSummary.objects.filter(pk=project.latest_summary_id or 0).values("facet_groups"),
        )
        explain("project facets, live GROUP BY (not run)", groups_query(FindingFilter(), project))
        explain("previous bounded counts (peer)", *finding_counts.counts_query(project))
        filtered = FindingFilter(severity=1, category="asyncio", path="app/module_1")
        explain("filtered facets (path prefix)", groups_query(filtered, project))
        explain("search facets", groups_query(FindingFilter(text="module_42"), project))
        for key in ("meeting", "quiet_meeting"):
            meeting = Meeting.objects.get(pk=int(str(data[key])))
            ids = list(Project.objects.filter(team=meeting.team).values_list("pk", flat=True))
            scans = meetings.window_scans(ids, meeting.since, timezone.now())
            scan_ids, regular_ids, moved = meetings.window_ids(scans)
            findings = Finding.objects.filter(project_id__in=ids)
            expected = sum(n for n, _ in moved.values())
            new = meetings.in_order(meetings.new_in(findings, regular_ids), expected)
            explain(f"{key}: new list ({expected} expected)", new[: meetings.LISTED])
            explain(f"{key}: new count", new.values("pk")[: meetings.COUNTED + 1])
            expected = sum(f for _, f in moved.values())
            fixed = meetings.in_order(
                findings.filter(status="fixed", fixed_in_scan__in=scan_ids), expected
            )
            explain(f"{key}: fixed list ({expected} expected)", fixed[: meetings.LISTED])
        connection.close()
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(20)
        redis.close()
        pg.close()


if __name__ == "__main__":
    main()
