"""Projects, scans, summaries and debt."""

from __future__ import annotations

from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from ninja import Router, Status
from ninja.errors import HttpError

from dashboard.access import get_project_for_change, get_project_for_user, visible_projects
from dashboard.api import paging, serialize
from dashboard.api.conditional import respond
from dashboard.api.schemas import (
    DebtList,
    DebtOut,
    ErrorOut,
    GateOut,
    ProjectList,
    ProjectOut,
    ScanOut,
    ScanPage,
    SummaryList,
    SummaryOut,
)
from reviewer import gates
from reviewer.models import GateResult, Project, Scan, ScanSummary
from reviewer.scanning import request_scan
from reviewer.tasks import QueueUnavailableError, enqueue_scan

router = Router(tags=["projects"])
MAX_SUMMARIES = 1000


def _projects(request: HttpRequest) -> QuerySet[Project]:
    latest_gate = GateResult.objects.filter(project=OuterRef("pk")).order_by("-id")
    return (
        visible_projects(request.user)
        .select_related("team", "last_scan", "latest_summary")
        .annotate(latest_gate_id=Subquery(latest_gate.values("pk")[:1]))
    )


def _with_gates(projects: list[Project]) -> list[dict[str, object]]:
    ids = [p.latest_gate_id for p in projects if p.latest_gate_id]  # type: ignore[attr-defined]
    results = GateResult.objects.in_bulk(ids)
    return [
        serialize.project(
            p,
            serialize.gate_status(results.get(p.latest_gate_id)),  # type: ignore[attr-defined]
        )
        for p in projects
    ]


@router.get("/projects", response=list[ProjectOut], summary="The projects you can see")
def list_projects(request: HttpRequest) -> HttpResponse:
    rows = _with_gates(list(_projects(request).order_by("name")[:1000]))
    return respond(request, ProjectList, rows)


@router.get("/projects/{slug}", response={200: ProjectOut, 404: ErrorOut})
def get_project(request: HttpRequest, slug: str) -> HttpResponse:
    get_project_for_user(request, slug)  # 404 unless visible
    project = _projects(request).get(slug=slug)
    return respond(request, ProjectOut, _with_gates([project])[0])


@router.get(
    "/projects/{slug}/gate",
    response={200: GateOut, 404: ErrorOut},
    tags=["gate"],
    summary="The quality gate's latest verdict and its conditions",
)
def project_gate(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request, slug)
    data = serialize.gate(gates.latest_result(project), gates.gate_for(project))
    return respond(request, GateOut, data)


@router.get("/projects/{slug}/scans", response={200: ScanPage, 400: ErrorOut, 404: ErrorOut})
def list_scans(
    request: HttpRequest, slug: str, cursor: str | None = None, limit: int | None = None
) -> HttpResponse:
    """Newest first; ``next_cursor`` pages back in time."""
    project = get_project_for_user(request, slug)
    size = paging.page_size(limit)
    scans = Scan.objects.filter(project=project).select_related("summary").order_by("-id")
    key = paging.decode(cursor, 1)
    if key is not None:
        scans = scans.filter(pk__lt=key[0])
    rows = list(scans[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    page = {
        "items": [serialize.scan_with_summary(s) for s in rows],
        "next_cursor": paging.encode(rows[-1].pk) if more and rows else None,
        "limit": size,
    }
    return respond(request, ScanPage, page)


@router.get("/projects/{slug}/scans/{scan_id}", response={200: ScanOut, 404: ErrorOut})
def get_scan(request: HttpRequest, slug: str, scan_id: int) -> HttpResponse:
    project = get_project_for_user(request, slug)
    scan = Scan.objects.select_related("summary").filter(project=project, pk=scan_id).first()
    if scan is None:
        raise HttpError(404, "No such scan.")
    return respond(request, ScanOut, serialize.scan_with_summary(scan))


@router.post(
    "/projects/{slug}/scans",
    response={202: ScanOut, 200: ScanOut, 403: ErrorOut, 404: ErrorOut, 503: ErrorOut},
    summary="Queue a scan (or get the one already queued or running)",
)
def queue_scan(request: HttpRequest, slug: str) -> Status[object]:
    project = get_project_for_change(request, slug)
    scan, created = request_scan(project, Scan.Trigger.MANUAL)
    if created:
        try:
            enqueue_scan(scan)
        except QueueUnavailableError:
            message = "The task queue is unavailable; the scan was not started."
            raise HttpError(503, message) from None
    return Status(202 if created else 200, serialize.scan(scan))


@router.get(
    "/projects/{slug}/summaries",
    response={200: list[SummaryOut], 400: ErrorOut, 404: ErrorOut},
    summary="One summary per successful scan, oldest first (what the charts draw)",
)
def list_summaries(
    request: HttpRequest, slug: str, since: date | None = None, until: date | None = None
) -> HttpResponse:
    project = get_project_for_user(request, slug)
    rows = ScanSummary.objects.trend(project)
    if since:
        rows = rows.filter(created_at__date__gte=since)
    if until:
        rows = rows.filter(created_at__date__lte=until)
    # The newest MAX_SUMMARIES of the range, returned oldest first.
    newest = list(rows.order_by("-created_at", "-id")[:MAX_SUMMARIES])
    return respond(request, SummaryList, [serialize.summary(r) for r in reversed(newest)])


def _debt(project: Project) -> dict[str, object]:
    latest = project.latest_summary
    kinds = (latest.by_debt_kind or {}) if latest else {}
    return {
        "project": project.slug,
        "scan_id": latest.scan_id if latest else None,
        "created_at": latest.created_at if latest else None,
        "minutes": sum(int(k.get("minutes", 0)) for k in kinds.values()),
        "kinds": kinds,
    }


@router.get("/debt", response=list[DebtOut], tags=["debt"], summary="Debt per project and kind")
def list_debt(request: HttpRequest) -> HttpResponse:
    return respond(request, DebtList, [_debt(p) for p in _projects(request).order_by("name")])


@router.get("/projects/{slug}/debt", response={200: DebtOut, 404: ErrorOut}, tags=["debt"])
def project_debt(request: HttpRequest, slug: str) -> HttpResponse:
    get_project_for_user(request, slug)
    return respond(request, DebtOut, _debt(_projects(request).get(slug=slug)))
