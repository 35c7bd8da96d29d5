"""The weekly review meetings of the caller's teams (read only)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.errors import HttpError

from dashboard.access import visible_meetings
from dashboard.api.conditional import respond
from dashboard.api.schemas import ErrorOut, MeetingList, MeetingOut
from reviewer.models import Meeting

router = Router(tags=["meetings"])


def _out(meeting: Meeting) -> dict[str, object]:
    return {
        "id": meeting.pk,
        "team": meeting.team.name,
        "title": meeting.title,
        "since": meeting.since,
        "started_at": meeting.started_at,
        "started_by": meeting.started_by.get_username() if meeting.started_by else None,
        "notes": meeting.notes,
        "decisions": meeting.decisions,
        "closed": meeting.closed,
    }


@router.get("/meetings", response=list[MeetingOut], summary="The latest 100 meetings")
def list_meetings(request: HttpRequest) -> HttpResponse:
    rows = visible_meetings(request.user).select_related("team", "started_by")[:100]
    return respond(request, MeetingList, [_out(m) for m in rows])


@router.get("/meetings/{meeting_id}", response={200: MeetingOut, 404: ErrorOut})
def get_meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    found = visible_meetings(request.user).select_related("team", "started_by")
    meeting = found.filter(pk=meeting_id).first()
    if meeting is None:
        raise HttpError(404, "No such meeting.")
    return respond(request, MeetingOut, _out(meeting))
