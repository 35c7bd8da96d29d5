"""Numbers for the overview: read from per-scan summary rows, never from all findings."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db.models import Sum

from reviewer.models import Scan, ScanSummary

SORTS = {
    "name": ("name",),
    "critical": ("-latest_summary__open_critical", "-latest_summary__open_important", "name"),
    "debt": ("-latest_summary__debt_minutes", "name"),
    "scanned": ("-last_scan__created_at", "name"),
}


def movement_since(project_ids: Collection[int], since: datetime) -> dict[int, tuple[int, int]]:
    """(new, fixed) per project in scans finished since ``since`` — one GROUP BY query.
    Backfilled history is not movement."""
    rows = (
        ScanSummary.objects.filter(project_id__in=project_ids, created_at__gte=since)
        .exclude(scan__trigger=Scan.Trigger.BACKFILL)
        .values("project_id")
        .annotate(new=Sum("new_count"), fixed=Sum("fixed_count"))
        .order_by()
    )
    return {r["project_id"]: (r["new"] or 0, r["fixed"] or 0) for r in rows}
