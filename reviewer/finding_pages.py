"""A page of the project's findings list: keyset paging both ways, with the position.

Pages are read by the unique key (severity, id), forwards after the last finding of the
previous page (``after``) or backwards before the first of the next (``before``), so a
deep page costs what the first does. The position ("51-100 of 2,009") travels in the
links (``at``, the number of the page's first row); a link without it (a bookmark) is
counted once.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.finding_filters import after_key, anchor_of, before_key, position_after
from reviewer.models import Finding, FindingQuerySet, Project


@dataclass(frozen=True)
class Page:
    findings: list[Finding]
    first: int  # the position of the first row (1-based); 0 on an empty page
    next_after: int | None  # the key for the next page, None on the last
    prev_before: int | None  # the key for the previous page, None on the first

    @property
    def last(self) -> int:
        return self.first + len(self.findings) - 1 if self.findings else 0


def findings_page(
    qs: FindingQuerySet,
    project: Project,
    size: int,
    *,
    after: int | None = None,
    before: int | None = None,
    at: int | None = None,
    per_severity: dict[int, int] | None = None,
) -> Page:
    """A page of ``qs``; ``per_severity`` (findings of ``qs`` per severity, the facet)
    makes a bookmark's position count the anchor's severity only."""
    if before:
        rows = list(before_key(qs, before, project).order_by("-severity", "-id")[: size + 1])
        has_prev = len(rows) > size
        rows = rows[:size][::-1]
        if not rows:
            return Page([], 0, None, None)
        if not has_prev:
            first = 1
        elif at:
            first = at
        else:
            first = position_after(
                qs, rows[0].pk, project, anchor=rows[0].severity, per_severity=per_severity
            )
        # The anchor itself follows this page, so there is a next one.
        return Page(rows, first, rows[-1].pk, rows[0].pk if has_prev else None)
    # The anchor is looked up once, for the page and for its position (a bookmark).
    anchor = anchor_of(qs, after, project) if after else None
    rows = list(after_key(qs, after, project, anchor=anchor).order_by("severity", "id")[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    if not after:
        first = 1
    elif at:
        first = at
    else:
        first = position_after(qs, after, project, anchor=anchor, per_severity=per_severity) + 1
    return Page(
        rows,
        first if rows else 0,
        rows[-1].pk if has_more and rows else None,
        rows[0].pk if after and rows else None,
    )
