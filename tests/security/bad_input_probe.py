"""Malformed parameters sent to every page that reads one; used by test_bad_input.py on
PostgreSQL (in process) and on SQLite (``python -m tests.security.bad_input_probe`` in a
subprocess with an embedded SQLite settings environment, printing JSON)."""

from __future__ import annotations

import json
import sys

HUGE = "9" * 30
SUPERSCRIPT_TWO = "\u00b2"  # "²".isdigit() is True, int("²") raises
NUL = "a\x00b"


def requests(slug: str, finding: int, meeting: int) -> list[tuple[str, str, dict[str, str]]]:
    project = f"/projects/{slug}"
    return [
        ("GET", f"{project}/scans/?before={SUPERSCRIPT_TWO}", {}),
        ("GET", f"{project}/scans/?before={HUGE}", {}),
        ("GET", f"/trends/?weeks={SUPERSCRIPT_TWO}", {}),
        ("GET", f"{project}/trends/?weeks={SUPERSCRIPT_TWO}", {}),
        ("POST", f"{project}/triage/", {"finding": SUPERSCRIPT_TWO, "action": "acknowledge"}),
        ("POST", f"{project}/triage/", {"finding": HUGE, "action": "acknowledge"}),
        ("POST", "/meetings/start/", {"team": SUPERSCRIPT_TWO}),
        ("GET", f"{project}/?since_scan={HUGE}", {}),
        ("GET", f"{project}/?after={HUGE}", {}),
        ("GET", f"{project}/export.csv?since_scan={HUGE}", {}),
        ("GET", f"{project}/export.sarif?since_scan={HUGE}", {}),
        ("GET", f"{project}/export.sarif?after={HUGE}", {}),
        ("GET", f"{project}/findings/{HUGE}/", {}),
        ("GET", f"{project}/scans/{HUGE}/", {}),
        ("GET", f"{project}/scans/{HUGE}/status/", {}),
        ("GET", f"/meetings/{HUGE}/", {}),
        ("POST", "/account/tokens/", {"revoke": SUPERSCRIPT_TWO}),
        ("POST", "/account/tokens/", {"revoke": HUGE}),
        ("GET", f"/?q={NUL}", {}),
        ("GET", f"{project}/?q={NUL}", {}),
        ("GET", f"{project}/assignees/?assignee={NUL}", {}),
        ("GET", f"/agents/?name={NUL}", {}),
        ("POST", f"/meetings/{meeting}/notes/", {"notes": NUL, "decisions": ""}),
        ("POST", f"{project}/findings/{finding}/triage/", {"action": "reopen", "comment": NUL}),
        (
            "POST",
            f"{project}/findings/{finding}/triage/",
            {"action": "acknowledge", "assignee": NUL, "change_assignee": "1"},
        ),
    ]


def probe() -> list[tuple[str, int]]:
    """Set up one team's project and meeting, send every request, return the statuses."""
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from reviewer.models import Meeting, Project
    from tests.factories import make_findings

    team = Group.objects.create(name="probe-team")
    user = User.objects.create_user("prober", password="probe pass phrase")
    user.groups.add(team)
    project = Project.objects.create(name="probe", slug="probe", repo_url="/x", team=team)
    finding = make_findings(project, 2)[0]
    meeting = Meeting.objects.create(team=team, title="probe meeting", since=finding.created_at)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    statuses: list[tuple[str, int]] = []
    for method, url, data in requests(project.slug, finding.pk, meeting.pk):
        response = client.get(url) if method == "GET" else client.post(url, data)
        if response.streaming:
            try:
                b"".join(response.streaming_content)  # type: ignore[attr-defined]
            except Exception:  # a stream that breaks half-way is the bug this looks for
                statuses.append((f"{method} {url!r}", 599))
                continue
        statuses.append((f"{method} {url!r}", response.status_code))
    return statuses


if __name__ == "__main__":
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    json.dump(probe(), sys.stdout)
