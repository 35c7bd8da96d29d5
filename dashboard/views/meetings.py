"""The weekly review meeting: pick or start one, review what changed, triage inline, keep
notes and decisions, export Markdown."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dashboard.access import AuthedRequest, teams_of
from dashboard.params import id_param
from reviewer.meetings import agenda, markdown
from reviewer.models import Finding, Meeting
from reviewer.triage import Decision, TriageError, apply_triage

FIRST_WINDOW = timedelta(days=7)
MAX_MEMBERS = 200


def _meeting(request: AuthedRequest, meeting_id: int) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("team"), pk=meeting_id)
    if not teams_of(request.user).filter(pk=meeting.team_id).exists():
        raise Http404("No such meeting")
    return meeting


@login_required
def meeting_list(request: AuthedRequest) -> HttpResponse:
    teams = list(teams_of(request.user).order_by("name"))
    meetings = Meeting.objects.filter(team__in=teams).select_related("team", "started_by")[:50]
    return render(request, "dashboard/meetings.html", {"meetings": meetings, "teams": teams})


@login_required
@require_POST
def meeting_start(request: AuthedRequest) -> HttpResponse:
    team_id = id_param(request.POST.get("team", ""), "team")
    team = teams_of(request.user).filter(pk=team_id or 0).first()
    if team is None:
        raise PermissionDenied("Choose one of your teams.")
    previous = Meeting.objects.filter(team=team).order_by("-started_at").first()
    now = timezone.now()
    meeting = Meeting.objects.create(
        team=team,
        title=f"{team.name} review {now:%Y-%m-%d}",
        since=previous.started_at if previous else now - FIRST_WINDOW,
        started_by=request.user,
    )
    return redirect(meeting)


def _members(meeting: Meeting) -> list[User]:
    """Who findings can be assigned to from the meeting: the team's active members
    (bounded; the finding page has the autocomplete for anyone else)."""
    users = User.objects.filter(is_active=True, groups=meeting.team_id).order_by("username")
    return list(users[:MAX_MEMBERS])


@login_required
def meeting_detail(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    until = None if not meeting.closed else meeting.started_at
    return render(
        request,
        "dashboard/meeting.html",
        {
            "meeting": meeting,
            "agenda": agenda(meeting.team, meeting.since, until),
            "members": _members(meeting),
        },
    )


@login_required
@require_POST
def meeting_notes(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    meeting.notes = request.POST.get("notes", "")[:20000]
    meeting.decisions = request.POST.get("decisions", "")[:20000]
    meeting.closed = request.POST.get("closed") == "1"
    meeting.save(update_fields=["notes", "decisions", "closed"])
    if request.htmx:
        return render(request, "dashboard/meeting.html#notes", {"meeting": meeting, "saved": True})
    return redirect(meeting)


@login_required
@require_POST
def meeting_triage(request: AuthedRequest, meeting_id: int, finding_id: int) -> HttpResponse:
    """Triage one finding from the meeting; answers with its updated row."""
    meeting = _meeting(request, meeting_id)
    finding = get_object_or_404(
        Finding.objects.select_related("project", "assignee"),
        pk=finding_id,
        project__team=meeting.team,
    )
    members = _members(meeting)
    error = ""
    try:
        apply_triage(
            [finding],
            request.user,
            _decision(request, meeting, members),
        )
    except TriageError as exc:
        error = str(exc)
    finding.refresh_from_db()
    context = {"meeting": meeting, "f": finding, "row_error": error, "members": members}
    if request.htmx:
        return render(request, "dashboard/meeting.html#finding-row", context)
    return redirect(meeting)


def _decision(request: AuthedRequest, meeting: Meeting, members: list[User]) -> Decision:
    """The row's triage action and, when the assignee menu was sent, the assignee (one of
    the team's members, or nobody)."""
    change = "assignee" in request.POST
    name = request.POST.get("assignee", "").strip()
    assignee = next((u for u in members if u.username == name), None)
    if change and name and assignee is None:
        raise TriageError(f"{name!r} is not a member of the team {meeting.team.name}.")
    return Decision(
        action=request.POST.get("action", ""),
        assignee=assignee,
        change_assignee=change,
        comment="in " + meeting.title,
    )


@login_required
def meeting_markdown(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    until = None if not meeting.closed else meeting.started_at
    text = markdown(
        meeting.title,
        meeting.started_at,
        meeting.notes,
        meeting.decisions,
        agenda(meeting.team, meeting.since, until),
    )
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.md"'
    return response
