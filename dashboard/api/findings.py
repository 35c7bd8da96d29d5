"""Findings with the project page's filters, a finding's history, and triage."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.errors import HttpError

from dashboard.access import get_project_for_change, get_project_for_user, team_members
from dashboard.api import paging, serialize
from dashboard.api.conditional import respond
from dashboard.api.schemas import (
    ErrorOut,
    FindingHistoryOut,
    FindingOut,
    FindingPage,
    FindingQuery,
    TriageIn,
)
from dashboard.forms import FindingFilterForm
from reviewer.models import Finding, Project
from reviewer.triage import Decision, TriageError, apply_triage

router = Router(tags=["findings"])


def _finding(project: Project, finding_id: int) -> Finding:
    found = (
        Finding.objects.select_related("assignee").filter(project=project, pk=finding_id).first()
    )
    if found is None:
        raise HttpError(404, "No such finding.")
    return found


@router.get(
    "/projects/{slug}/findings",
    response={200: FindingPage, 400: ErrorOut, 404: ErrorOut},
    summary="Findings, in (severity, id) order, keyset-paged",
)
def list_findings(
    request: HttpRequest,
    slug: str,
    filters: Query[FindingQuery],
    cursor: str | None = None,
    limit: int | None = None,
) -> HttpResponse:
    """The project page's filters; without ``triage``, what a reader sees by default (open,
    not dismissed). ``next_cursor`` is null on the last page. Sends an ``ETag``."""
    project = get_project_for_user(request, slug)
    size = paging.page_size(limit)
    given = {k: v for k, v in filters.dict().items() if v not in (None, "")}
    form = FindingFilterForm(given)
    if not form.is_valid():
        errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
        raise BadFilterError(errors)
    qs = form.to_filter().apply(project).select_related("assignee").order_by("severity", "id")
    key = paging.decode(cursor, 2)
    if key is not None:
        qs = qs.filter(TupleGreaterThan(Tuple("severity", "id"), key))
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    latest = project.latest_recorded_scan_id() if rows else None
    page = {
        "items": [serialize.finding(f, project.slug, latest) for f in rows],
        "next_cursor": paging.encode(rows[-1].severity, rows[-1].pk) if more and rows else None,
        "limit": size,
    }
    return respond(request, FindingPage, page)


class BadFilterError(HttpError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(400, "Some filters are not valid.")
        self.errors = errors


@router.get(
    "/projects/{slug}/findings/{finding_id}",
    response={200: FindingHistoryOut, 404: ErrorOut},
    summary="A finding with its history: what scans did to it, and triage decisions",
)
def get_finding(request: HttpRequest, slug: str, finding_id: int) -> HttpResponse:
    project = get_project_for_user(request, slug)
    finding = _finding(project, finding_id)
    events = finding.events.select_related("scan").order_by("id")[:1000]
    triage = finding.triage_events.select_related("user", "assignee").order_by("id")[:1000]
    data = {
        "finding": serialize.finding(finding, project.slug, project.latest_recorded_scan_id()),
        "events": [
            {
                "kind": e.kind,
                "scan_id": e.scan_id,
                "created_at": e.scan.created_at,
                "path": e.path,
                "line": e.line,
            }
            for e in events
        ],
        "triage": [
            {
                "created_at": t.created_at,
                "user": t.user.get_username() if t.user else None,
                "from_triage": t.from_triage,
                "to_triage": t.to_triage,
                "assignee": t.assignee.get_username() if t.assignee else None,
                "comment": t.comment,
            }
            for t in triage
        ],
    }
    return respond(request, FindingHistoryOut, data)


def _team_member(project: Project, username: str) -> User:
    found = team_members(project).filter(username=username).first()
    if found is None:
        raise HttpError(400, f"{username!r} is not a member of this project's team.")
    return found


@router.post(
    "/projects/{slug}/findings/{finding_id}/triage",
    response={200: FindingOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Triage a finding: state, assignee, comment (recorded in its audit trail)",
)
def triage_finding(
    request: HttpRequest, slug: str, finding_id: int, payload: TriageIn
) -> dict[str, object]:
    project = get_project_for_change(request, slug)
    finding = _finding(project, finding_id)
    change_assignee = payload.assignee is not None
    assignee = _team_member(project, payload.assignee) if payload.assignee else None
    decision = Decision(
        action=payload.action,
        assignee=assignee,
        change_assignee=change_assignee,
        comment=payload.comment,
    )
    try:
        apply_triage([finding], request.user, decision)  # type: ignore[arg-type]
    except TriageError as exc:
        raise HttpError(400, str(exc)) from None
    return serialize.finding(
        _finding(project, finding_id), project.slug, project.latest_recorded_scan_id()
    )
