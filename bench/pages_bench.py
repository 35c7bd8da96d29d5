"""Project page benchmark: keyset paging, filters and facets at 100k findings, against OFFSET
paging and the bounded counts the page used before its facets.

Starts a throwaway PostgreSQL, builds the data set of ``bench/dataset.py`` (one project
with ``--findings`` findings) and times, in the same run:

- the project page (server time through Django's test client: view, queries, template)
  on its first page, a deep keyset page (half-way down), and with filters / a search;
- the findings query of a deep page with keyset (``after_key``) and its named peer, the
  same filter and order paged with OFFSET (what DefectDojo-style lists do);

then prints p50/p95 of each and the ratios, plus the EXPLAIN of the deep keyset query.

    uv run python bench/pages_bench.py [--findings 100000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import django_on_fresh_postgres  # noqa: E402


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()  # warm the caches and the plan
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def line(name: str, values: list[float]) -> str:
    return f"  {name:<34} p50 {statistics.median(values):8.2f} ms   p95 {p95(values):8.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    with django_on_fresh_postgres("reviewdeck-pages-bench-"):
        from django.conf import settings
        from django.contrib.auth.models import User
        from django.db import connection
        from django.db.models import Count
        from django.test import Client

        from bench.dataset import build
        from reviewer.finding_filters import FindingFilter, after_key
        from reviewer.models import Finding, Project, Severity

        print(f"building the data set ({args.findings} findings) ...", flush=True)
        started = time.perf_counter()
        data = build(projects=args.projects, findings=args.findings)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does soon after a bulk load

        client = Client()
        client.force_login(User.objects.get(username=data.username))
        page = f"/projects/{data.big_slug}/"

        def get(url: str) -> Callable[[], object]:
            def run() -> object:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                return response

            return run

        pages = {
            "page: first": page,
            "page: deep keyset": f"{page}?after={data.deep_after}",
            "page: critical+asyncio": f"{page}?severity=critical&category=asyncio",
            "page: rule+path prefix": f"{page}?rule=SA&path=app/module_01",
            "page: search": f"{page}?q=module_0042",
            "page: htmx partial (filter)": f"{page}?severity=important",
            "page: context=test": f"{page}?context=test",
            "page: context=migration+critical": f"{page}?context=migration&severity=critical",
            "page: path exclusion": f"{page}?path=!app/module_01",
            "page: deep, previous page": f"{page}?before={data.deep_after}&at=50001",
        }
        results = {name: timed(get(url), args.repeat) for name, url in pages.items()}

        project = Project.objects.get(pk=data.big_project_id)
        size = settings.REVIEWDECK_PAGE_SIZE
        offset = data.findings // 2
        qs = FindingFilter().apply(project)

        def keyset() -> object:
            return list(after_key(qs, data.deep_after, project)[:size])

        def offset_peer() -> object:
            return list(qs.order_by("severity", "id")[offset : offset + size])

        filtered = FindingFilter(severity=int(Severity.IMPORTANT)).apply(project)
        anchor = filtered.order_by("severity", "id").values_list("pk", flat=True)[
            filtered.count() // 2
        ]

        def keyset_filtered() -> object:
            return list(after_key(filtered, anchor, project)[:size])

        def offset_filtered() -> object:
            half = filtered.count() // 2
            return list(filtered.order_by("severity", "id")[half : half + size])

        from reviewer.finding_counts import counts_query

        def run_sql(query: tuple[str, list[Any]]) -> Callable[[], object]:
            def run() -> object:
                with connection.cursor() as cursor:
                    cursor.execute(query[0], query[1])
                    return cursor.fetchone()

            return run

        results["query: counts, severities + contexts"] = timed(
            run_sql(counts_query(project)), args.repeat
        )
        results["query: counts, severities only (peer)"] = timed(
            run_sql(counts_query(project, contexts=False)), args.repeat
        )
        from reviewer.finding_facets import facet_counts

        results["query: facets (one GROUP BY)"] = timed(
            lambda: facet_counts(FindingFilter(), project), args.repeat
        )
        results["query: facets, important+path"] = timed(
            lambda: facet_counts(
                FindingFilter(severity=int(Severity.IMPORTANT), path="app/module_01"), project
            ),
            args.repeat,
        )
        results["query: deep keyset"] = timed(keyset, args.repeat)
        results["query: deep OFFSET (peer)"] = timed(offset_peer, args.repeat)
        results["query: deep keyset, important"] = timed(keyset_filtered, args.repeat)
        results["query: deep OFFSET, important"] = timed(offset_filtered, args.repeat)

        print(f"\n{data.findings} findings in one project, page size {size}:")
        for name, values in results.items():
            print(line(name, values))

        def ratio(a: str, b: str) -> str:
            value = statistics.median(results[a]) / statistics.median(results[b])
            return f"  {a} / {b}: {value:.2f}x"

        print("\nratios (p50):")
        print(ratio("query: deep keyset", "query: deep OFFSET (peer)"))
        print(ratio("query: deep keyset, important", "query: deep OFFSET, important"))
        print(ratio("page: deep keyset", "page: first"))
        print(ratio("page: critical+asyncio", "page: first"))
        print(ratio("page: search", "page: first"))
        print(
            ratio("query: counts, severities + contexts", "query: counts, severities only (peer)")
        )
        print(ratio("query: facets (one GROUP BY)", "query: counts, severities + contexts"))
        print(ratio("page: context=test", "page: first"))
        print(ratio("page: context=migration+critical", "page: first"))

        counts = (
            Finding.objects.visible()
            .for_project(project)
            .values_list("severity")
            .annotate(n=Count("id"))
            .order_by()
        )
        categories = (
            Finding.objects.visible()
            .for_project(project)
            .values_list("category", flat=True)
            .distinct()
            .order_by("category")
        )
        counts_sql, counts_params = counts_query(project)
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {counts_sql}", counts_params)
            plan = "\n".join("    " + row[0] for row in cursor.fetchall())
        print(f"\nEXPLAIN of the bounded counts per severity and per context:\n{plan}")
        for title, query in [
            ("the deep keyset query", after_key(qs, data.deep_after, project)[:size]),
            (
                "the context filter's first page",
                FindingFilter(context="migration", severity=int(Severity.CRITICAL))
                .apply(project)
                .order_by("severity", "id")[: size + 1],
            ),
            ("the counts per severity", counts),
            (
                "the facets' GROUP BY",
                FindingFilter(triage="all")
                .apply(project)
                .order_by()
                .values_list(
                    "severity", "category", "rule_id", "context", "triage", "low_confidence"
                )
                .annotate(n=Count("*")),
            ),
            ("the category list", categories),
            (
                "a text search (trigram indexes)",
                FindingFilter(text="module_0042")
                .apply(project)
                .order_by("severity", "id")[: size + 1],
            ),
        ]:
            sql, params = query.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                plan = "\n".join("    " + row[0] for row in cursor.fetchall())
            print(f"\nEXPLAIN of {title}:\n{plan}")


if __name__ == "__main__":
    main()
