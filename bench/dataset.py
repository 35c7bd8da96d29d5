"""A reusable generator of a large, realistic-looking data set for benchmarks.

Many projects with weekly scans and per-scan summaries (what the overview and the charts
read), and one "big" project with many findings (what the project page, its keyset
paging and the exports read). Deterministic for a given seed. Runs against whatever
database Django is configured for (call ``django.setup()`` and migrate first).

    from bench.dataset import build
    data = build(projects=100, weeks=12, findings=100_000, repo_url="/srv/repo")
    data.big_slug, data.deep_after, data.finding_ids[:10]

Used by ``bench/load_test.py`` and ``bench/pages_bench.py``; the insights pages and later
load tests can reuse it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

RULES = [
    ("SA001", "sqlalchemy", "sqlalchemy"),
    ("PD001", "pydantic", "pydantic"),
    ("AS001", "asyncio", ""),
    ("FA001", "fastapi", "fastapi"),
    ("AL001", "alembic", "alembic"),
]
AGENTS = ["python-backend-reviewer", "rules", "migration-auditor"]
BATCH = 5000


@dataclass
class Dataset:
    team_id: int
    username: str
    password: str
    project_slugs: list[str]
    big_slug: str
    big_project_id: int
    finding_ids: list[int] = field(default_factory=list)  # a sample of the big project's
    deep_after: int | None = None  # the finding half-way down the default (severity, id) order
    scans: int = 0
    findings: int = 0


def build(
    *,
    projects: int = 100,
    weeks: int = 12,
    findings: int = 100_000,
    repo_url: str = "/nonexistent",
    seed: int = 5,
    team_name: str = "backend",
    username: str = "load",
    password: str = "load-pass-1",
    sample: int = 500,
) -> Dataset:
    """Create the data set and return handles to it (slugs, a user, sample finding ids)."""
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from reviewer.models import Project, Scan, ScanSummary

    rng = random.Random(seed)
    now = timezone.now()
    team, _ = Group.objects.get_or_create(name=team_name)
    user = User.objects.create_user(username, password=password)
    user.groups.add(team)
    slugs: list[str] = []
    made: list[Project] = []
    scan_count = 0
    for p in range(projects):
        slug = f"service-{p:03d}"
        project = Project.objects.create(name=slug, slug=slug, repo_url=repo_url, team=team)
        made.append(project)
        slugs.append(slug)
        scans = Scan.objects.bulk_create(
            Scan(
                project=project,
                status=Scan.Status.SUCCEEDED,
                commit_sha=f"{week:040x}",
                finished_at=now - timedelta(weeks=weeks - week),
            )
            for week in range(weeks)
        )
        scan_count += len(scans)
        summaries = ScanSummary.objects.bulk_create(
            ScanSummary(
                scan=scan,
                project=project,
                created_at=now - timedelta(weeks=weeks - week),
                open_critical=rng.randrange(20),
                open_important=rng.randrange(80),
                open_suggestion=rng.randrange(200),
                debt_minutes=rng.randrange(5000),
            )
            for week, scan in enumerate(scans)
        )
        if scans:
            Project.objects.filter(pk=project.pk).update(
                last_scan=scans[-1], latest_summary=summaries[-1]
            )
    big = made[0]
    data = Dataset(
        team_id=team.pk,
        username=username,
        password=password,
        project_slugs=slugs,
        big_slug=big.slug,
        big_project_id=big.pk,
        scans=scan_count,
    )
    add_findings(big, findings, rng=rng)
    data.findings = findings
    _handles(data, sample)
    return data


def add_findings(project: object, count: int, *, rng: random.Random | None = None) -> None:
    """``count`` open findings in ``project`` over 2,000 files, mixed severities and rules."""
    from reviewer.engine.types import line_hash
    from reviewer.models import Finding, Project, Scan, Severity

    assert isinstance(project, Project)
    rng = rng or random.Random(5)
    last = Scan.objects.filter(project=project).order_by("-id").first()
    severities = [Severity.CRITICAL, Severity.IMPORTANT, Severity.SUGGESTION]
    batch: list[Finding] = []
    for i in range(count):
        rule_id, category, debt_kind = RULES[i % len(RULES)]
        text = f"rows_{i} = session.query(User).all()"
        batch.append(
            Finding(
                project=project,
                rule_id=rule_id,
                category=category,
                agent=AGENTS[i % len(AGENTS)],
                severity=rng.choice(severities),
                confidence=90,
                title=f"Finding {i}",
                message="Use select()",
                path=f"app/module_{i % 2000:04d}.py",
                context=_context(i % 2000),
                line=i % 500 + 1,
                snippet=text,
                line_hash=line_hash(text),
                first_seen_scan=last,
                last_seen_scan=last,
                debt_kind=debt_kind,
                debt_minutes=10 if debt_kind else 0,
            )
        )
        if len(batch) == BATCH:
            Finding.objects.bulk_create(batch)
            batch = []
    Finding.objects.bulk_create(batch)


def _context(module: int) -> str:
    """Where module ``module`` (0-1999) runs: 70% production, 20% tests, 5% migrations,
    2.5% scripts, 2.5% generated (what the context filter and facet are measured on)."""
    if module < 1400:
        return "production"
    if module < 1800:
        return "test"
    if module < 1900:
        return "migration"
    return "script" if module < 1950 else "generated"


def _handles(data: Dataset, sample: int) -> None:
    from django.db import connection

    from reviewer.models import Finding

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    big = Finding.objects.filter(project_id=data.big_project_id)
    data.finding_ids = list(big.order_by("id").values_list("pk", flat=True)[:sample])
    if data.findings:
        data.deep_after = big.order_by("severity", "id").values_list("pk", flat=True)[
            data.findings // 2
        ]
