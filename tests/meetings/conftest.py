"""A team's busy week: 400 new critical and important findings over 16 rules and 80 files,
a fixed one, a failed scan and debt that moved, plus a second team that must see none of
it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from reviewer.models import Finding, Meeting, Project, ScanSummary, Severity
from tests.factories import make_findings
from tests.web.test_meetings import scan_at

RULES = [
    ("AS001", Severity.CRITICAL),
    ("SA007", Severity.CRITICAL),
    ("FA001", Severity.IMPORTANT),
    ("SA001", Severity.IMPORTANT),
    ("SA002", Severity.IMPORTANT),
    ("SA004", Severity.IMPORTANT),
    ("SA005", Severity.IMPORTANT),
    ("PD001", Severity.IMPORTANT),
    ("PD002", Severity.IMPORTANT),
    ("PD003", Severity.IMPORTANT),
    ("AL001", Severity.IMPORTANT),
    ("AL002", Severity.IMPORTANT),
    ("PT001", Severity.IMPORTANT),
    ("CQ003", Severity.IMPORTANT),
    ("FA002", Severity.IMPORTANT),
    ("FA003", Severity.IMPORTANT),
]
FILES = 5
PER_FILE = 5  # 16 rules x 5 files x 5 = 400


def fill_week(project: Project, rules: Sequence[tuple[str, int]] = RULES) -> None:
    scan = scan_at(project, 2)
    for rule_id, severity in rules:
        for n in range(FILES):
            make_findings(
                project,
                PER_FILE,
                scan=scan,
                rule_id=rule_id,
                severity=severity,
                path=f"backend/app/alembic/versions/2024_{n:02d}_{rule_id.lower()}_change.py",
            )
    before = scan_at(project, 20)
    ScanSummary.objects.create(
        scan=before, project=project, created_at=before.created_at, debt_minutes=32
    )
    ScanSummary.objects.create(
        scan=scan, project=project, created_at=scan.created_at, debt_minutes=280
    )


@pytest.fixture
def busy_week(project_factory: Callable[..., Project], member: User) -> Project:
    project = project_factory(name="shop")
    fill_week(project)
    User.objects.create_user("ana", password="pw-ana-1").groups.add(project.team)  # type: ignore[arg-type]
    return project


def start_meeting(client: Client, team: Group) -> Meeting:
    response = client.post(reverse("dashboard:meeting_start"), {"team": team.pk})
    assert response.status_code == 302, response.status_code
    return Meeting.objects.order_by("-id").first()  # type: ignore[return-value]


def new_of(project: Project, rule_id: str) -> list[Finding]:
    return list(Finding.objects.filter(project=project, rule_id=rule_id).order_by("id"))
