"""The weekly review meeting: pick or start one, review what changed (new findings grouped
by rule), decide per finding or per group, keep notes, close it (then it is a record),
export Markdown. The decisions live in reviewer.meeting_decisions."""

from __future__ import annotations

import re
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dashboard.access import AuthedRequest, teams_of, visible_meetings
from dashboard.params import BadParameterError, id_param
from reviewer import meeting_decisions
from reviewer.meeting_decisions import MeetingClosedError, meeting_until
from reviewer.meetings import agenda, group_page, markdown, window_findings
from reviewer.models import Finding, Meeting, MeetingDecision
from reviewer.teams import meeting_readiness
from reviewer.triage import TriageError

FIRST_WINDOW = timedelta(days=7)
MAX_MEMBERS = 200
RULE_ID = re.compile(r"[A-Za-z0-9_.-]{1,40}")


def _meeting(request: AuthedRequest, meeting_id: int) -> Meeting:
    meeting = get_object_or_404(
        visible_meetings(request.user).select_related("team"), pk=meeting_id
    )
    return meeting


def _open_meeting(request: AuthedRequest, meeting_id: int) -> Meeting:
    """The meeting, for a change: 403 once it is closed (a record)."""
    meeting = _meeting(request, meeting_id)
    if meeting.closed:
        raise PermissionDenied(f"{meeting.title} is closed: it is a record now.")
    return meeting


@login_required
def meeting_list(request: AuthedRequest) -> HttpResponse:
    teams = teams_of(request.user)
    meetings = Meeting.objects.filter(team__in=teams).select_related("team", "started_by")[:50]
    return render(
        request,
        "dashboard/meetings.html",
        {"meetings": meetings, "readiness": meeting_readiness(request.user, teams)},
    )


@login_required
@require_POST
def meeting_start(request: AuthedRequest) -> HttpResponse:
    team_id = id_param(request.POST.get("team", ""), "team")
    readiness = meeting_readiness(request.user, teams_of(request.user))
    team = next((t for t in readiness.teams if t.pk == team_id), None)
    if team is None:
        raise PermissionDenied(readiness.missing or "Choose one of your teams.")
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
    return render(
        request,
        "dashboard/meeting.html",
        {
            "meeting": meeting,
            "agenda": agenda(meeting.team, meeting.since, meeting_until(meeting)),
            "carried": meeting_decisions.carried(meeting),
            "members": [] if meeting.closed else _members(meeting),
        },
    )


def _rule(rule_id: str) -> str:
    if not RULE_ID.fullmatch(rule_id):
        raise BadParameterError("rule must be a rule id.")
    return rule_id


def _with_decisions(meeting: Meeting, findings: list[Finding]) -> list[Finding]:
    """Each finding with this meeting's decision on it (``f.decision``), one query."""
    decided = {
        d.finding_id: d
        for d in MeetingDecision.objects.filter(
            meeting=meeting, finding__in=[f.pk for f in findings]
        )
    }
    for f in findings:
        f.decision = decided.get(f.pk)  # type: ignore[attr-defined]
    return findings


@login_required
@require_GET
def meeting_group(request: AuthedRequest, meeting_id: int, rule_id: str) -> HttpResponse:
    """One page of a rule group's findings (the group's rows, loaded when it is opened)."""
    meeting = _meeting(request, meeting_id)
    page = id_param(request.GET.get("page", ""), "page") or 1
    found = group_page(meeting.team, meeting.since, meeting_until(meeting), _rule(rule_id), page)
    _with_decisions(meeting, found.findings)
    return render(
        request,
        "dashboard/meeting_group.html",
        {
            "meeting": meeting,
            "found": found,
            "members": [] if meeting.closed else _members(meeting),
        },
    )


def _assignee(
    request: AuthedRequest, meeting: Meeting, members: list[User]
) -> tuple[bool, User | None]:
    """Whether the assignee menu was sent, and the member chosen (or nobody)."""
    change = "assignee" in request.POST and request.POST.get("assignee") != "-"
    name = request.POST.get("assignee", "").strip()
    assignee = next((u for u in members if u.username == name), None)
    if change and name and assignee is None:
        raise TriageError(f"{name!r} is not a member of the team {meeting.team.name}.")
    return change, assignee


@login_required
@require_POST
def meeting_group_decide(request: AuthedRequest, meeting_id: int, rule_id: str) -> HttpResponse:
    """One decision for every new finding of a rule; answers with the group's line."""
    meeting = _open_meeting(request, meeting_id)
    members = _members(meeting)
    message, error = "", ""
    try:
        change, assignee = _assignee(request, meeting, members)
        count = meeting_decisions.decide_group(
            meeting,
            _rule(rule_id),
            request.user,
            action=request.POST.get("action", ""),
            assignee=assignee,
            change_assignee=change,
        )
        message = f"Decided for {count} finding{'s' if count != 1 else ''}."
    except TriageError as exc:
        error = str(exc)
    if not request.htmx:
        return redirect(meeting)
    found = group_page(meeting.team, meeting.since, meeting_until(meeting), rule_id, 1)
    _with_decisions(meeting, found.findings)
    return render(
        request,
        "dashboard/meeting_group.html",
        {
            "meeting": meeting,
            "found": found,
            "members": members,
            "group_message": message,
            "group_error": error,
        },
    )


@login_required
@require_POST
def meeting_notes(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    meeting = _open_meeting(request, meeting_id)
    meeting_decisions.save_notes(
        meeting, request.POST.get("notes", ""), request.POST.get("decisions", "")
    )
    if request.POST.get("closed") == "1":
        meeting_decisions.close(meeting)
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return redirect(meeting)
    if request.htmx:
        return render(request, "dashboard/meeting.html#notes", {"meeting": meeting, "saved": True})
    return redirect(meeting)


@login_required
@require_POST
def meeting_close(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    meeting = _open_meeting(request, meeting_id)
    meeting_decisions.close(meeting)
    return redirect(meeting)


@login_required
@require_POST
def meeting_triage(request: AuthedRequest, meeting_id: int, finding_id: int) -> HttpResponse:
    """Decide on one finding from the meeting (triage, assignee, comment); answers with
    its updated row."""
    meeting = _open_meeting(request, meeting_id)
    finding = get_object_or_404(
        Finding.objects.select_related("project", "assignee"),
        pk=finding_id,
        project__team=meeting.team,
    )
    members = _members(meeting)
    error = ""
    try:
        change, assignee = _assignee(request, meeting, members)
        meeting_decisions.decide(
            meeting,
            [finding],
            request.user,
            action=request.POST.get("action", ""),
            assignee=assignee,
            change_assignee=change,
            comment=request.POST.get("comment", "")[:5000],
        )
    except MeetingClosedError as exc:
        raise PermissionDenied(str(exc)) from None
    except TriageError as exc:
        error = str(exc)
    finding.refresh_from_db()
    _with_decisions(meeting, [finding])
    context = {"meeting": meeting, "f": finding, "row_error": error, "members": members}
    if request.htmx:
        return render(request, "dashboard/meeting_group.html#finding-row", context)
    return redirect(meeting)


@login_required
def meeting_markdown(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    until = meeting_until(meeting)
    said = MeetingDecision.objects.filter(meeting=meeting, finding=OuterRef("pk")).values(
        "comment"
    )[:1]
    new = (
        window_findings(meeting.team, meeting.since, until)
        .select_related("project", "assignee")
        .annotate(meeting_comment=Subquery(said))
        .order_by("severity", "rule_id", "project__name", "path", "line", "id")
    )
    text = markdown(meeting, agenda(meeting.team, meeting.since, until), new.iterator(2000))
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.md"'
    return response
