"""A project's scan history as shown: newest first, with runs of scheduled "no change"
checks folded into one line ("no change, 37 times since ...")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from django.db.models import Aggregate, Count, Max, Min, Q

from reviewer.models import Project, Scan


@dataclass(frozen=True)
class NoChangeRun:
    """Consecutive scheduled checks that found nothing to do."""

    count: int
    since: datetime  # the first of them
    last: datetime  # the latest of them
    newest_id: int


Row = Scan | NoChangeRun


def history_page(
    project: Project, before: int | None, per_page: int
) -> tuple[list[Row], int | None]:
    """Up to ``per_page`` real scans older than scan ``before`` (None: the newest), with
    the skipped checks between them folded; and the id to page on from (None: no more).
    Two queries whatever the number of skipped checks."""
    scans = (
        Scan.objects.filter(project=project)
        .exclude(status=Scan.Status.SKIPPED)
        .select_related("summary")
        .order_by("-id")
    )
    if before is not None:
        scans = scans.filter(pk__lt=before)
    page = list(scans[: per_page + 1])
    more = len(page) > per_page
    page = page[:per_page]
    # The gaps between real scans, newest first: above the newest (first page only; on a
    # later page that gap ended the previous page), between scans, and below the last one
    # down to the next page's first scan (or the beginning).
    lowest = (
        scans.filter(pk__lt=page[-1].pk).values_list("pk", flat=True).first()
        if more and page
        else None
    )
    ids = [s.pk for s in page]
    gaps: list[tuple[int | None, int | None]] = []
    if before is None:
        gaps.append((None, ids[0] if ids else None))
    gaps += list(pairwise(ids))
    if ids:
        gaps.append((ids[-1], lowest))
    aggregates: dict[str, Aggregate] = {}
    for i, (high, low) in enumerate(gaps):
        where = Q()
        if high is not None:
            where &= Q(pk__lt=high)
        if low is not None:
            where &= Q(pk__gt=low)
        aggregates |= {
            f"n{i}": Count("id", filter=where),
            f"first{i}": Min("created_at", filter=where),
            f"last{i}": Max("created_at", filter=where),
            f"top{i}": Max("id", filter=where),
        }
    folded = Scan.objects.filter(project=project, status=Scan.Status.SKIPPED).aggregate(
        **aggregates
    )
    runs = {
        high: NoChangeRun(
            folded[f"n{i}"], folded[f"first{i}"], folded[f"last{i}"], folded[f"top{i}"]
        )
        for i, (high, _) in enumerate(gaps)
        if folded[f"n{i}"]
    }
    rows: list[Row] = []
    if before is None and None in runs:
        rows.append(runs[None])
    for scan in page:
        rows.append(scan)
        if scan.pk in runs:
            rows.append(runs[scan.pk])
    return rows, page[-1].pk if more and page else None
