"""Small data builders for tests (no dumped fixtures)."""

from __future__ import annotations

from django.utils import timezone

from reviewer.engine.types import line_hash
from reviewer.models import Finding, Project, Scan, Severity


def make_scan(project: Project, status: str = Scan.Status.SUCCEEDED) -> Scan:
    return Scan.objects.create(
        project=project, status=status, commit_sha="a" * 40, finished_at=timezone.now()
    )


def make_findings(
    project: Project,
    count: int,
    *,
    scan: Scan | None = None,
    severity: int = Severity.IMPORTANT,
    category: str = "sqlalchemy",
    rule_id: str = "SA001",
    path: str = "app/db.py",
    context: str = Finding.Context.PRODUCTION,
    dialects: str = "",
) -> list[Finding]:
    scan = scan or make_scan(project)
    text = "rows = session.query(User).all()"
    return Finding.objects.bulk_create(
        Finding(
            project=project,
            rule_id=rule_id,
            category=category,
            agent="python-backend-reviewer",
            severity=severity,
            confidence=90,
            title=f"Legacy query {i}",
            message="Use select()",
            path=path,
            context=context,
            dialects=dialects,
            line=i + 1,
            snippet=text,
            line_hash=line_hash(text),
            first_seen_scan=scan,
            last_seen_scan=scan,
        )
        for i in range(count)
    )
