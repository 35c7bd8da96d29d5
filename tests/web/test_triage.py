"""Triage: decisions with an audit trail, bulk triage, bounded assignee suggestions, and a
false positive that stays one when its code moves."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from reviewer.engine import rule_doc
from reviewer.models import Finding, Project, Scan, TriageEvent
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo
from tests.factories import make_findings

pytestmark = pytest.mark.django_db


def triage_url(finding: Finding) -> str:
    return reverse("dashboard:finding_triage", args=[finding.project.slug, finding.pk])


def test_a_false_positive_leaves_the_list_with_an_audit_row(
    member_client: Client, member: User, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    finding, other = make_findings(project, 2)
    response = member_client.post(
        triage_url(finding),
        {"action": "false_positive", "comment": "test fixture, not prod code"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="triage"' in response.content.decode() and "<html" not in response.content.decode()
    finding.refresh_from_db()
    assert finding.triage == Finding.Triage.FALSE_POSITIVE
    event = TriageEvent.objects.get(finding=finding)
    assert (event.user, event.from_triage, event.to_triage) == (member, "open", "false_positive")
    assert event.comment == "test fixture, not prod code"
    page = member_client.get(project.get_absolute_url()).content.decode()
    assert f"/findings/{finding.pk}/" not in page and f"/findings/{other.pk}/" in page

    member_client.post(triage_url(finding), {"action": "reopen"})
    finding.refresh_from_db()
    assert finding.triage == Finding.Triage.OPEN and finding.triage_events.count() == 2


def test_assignment_is_limited_to_the_team(
    member_client: Client,
    member: User,
    team: Group,
    project_factory: Callable[..., Project],
) -> None:
    project = project_factory()
    finding = make_findings(project, 1)[0]
    colleague = User.objects.create_user("colleague")
    colleague.groups.add(team)
    User.objects.create_user("stranger")
    member_client.post(
        triage_url(finding), {"action": "", "assignee": "colleague", "change_assignee": "1"}
    )
    finding.refresh_from_db()
    assert finding.assignee == colleague
    response = member_client.post(
        triage_url(finding),
        {"action": "", "assignee": "stranger", "change_assignee": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert "not a member of this project" in response.content.decode()
    finding.refresh_from_db()
    assert finding.assignee == colleague


def test_assignee_suggestions_are_bounded_and_team_only(
    member_client: Client, team: Group, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    for i in range(25):
        User.objects.create_user(f"dev{i:02d}").groups.add(team)
    User.objects.create_user("devoutsider")
    url = reverse("dashboard:assignee_options", args=[project.slug])
    page = member_client.get(url, {"assignee": "dev"}).content.decode()
    assert page.count("<option") == 10 and "devoutsider" not in page
    assert 'value="dev00"' in page


def test_bulk_triage_of_a_selection(
    member_client: Client, project_factory: Callable[..., Project], team: Group
) -> None:
    project = project_factory()
    other = project_factory(name="other", team=team)
    picked = make_findings(project, 3)
    untouched = make_findings(project, 2)
    foreign = make_findings(other, 1)[0]
    response = member_client.post(
        reverse("dashboard:bulk_triage", args=[project.slug]),
        {
            "finding": [str(f.pk) for f in picked] + [str(foreign.pk)],
            "action": "acknowledge",
            "comment": "known, planned for Q3",
            "next": project.get_absolute_url() + "?severity=important",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?severity=important")
    states = dict(Finding.objects.values_list("pk", "triage"))
    assert {states[f.pk] for f in picked} == {"acknowledged"}
    assert {states[f.pk] for f in untouched} == {"open"} and states[foreign.pk] == "open"
    assert TriageEvent.objects.count() == 3


def test_a_false_positive_stays_one_when_its_code_moves(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    member_client: Client,
) -> None:
    repo = make_repo("r")
    body = "import time\n\nasync def handler():\n    time.sleep(1)\n"
    repo.commit({"app.py": body})
    project = project_factory(repo_url=str(repo.path))
    scan, _ = request_scan(project, Scan.Trigger.CLI)
    run_scan(scan.pk)
    finding = Finding.objects.get(project=project, rule_id="AS001")
    member_client.post(triage_url(finding), {"action": "false_positive"})
    repo.commit({"app.py": "# moved down\n\n\n" + body})
    scan, _ = request_scan(project, Scan.Trigger.CLI)
    run_scan(scan.pk)
    finding.refresh_from_db()
    assert finding.line == 7 and finding.triage == Finding.Triage.FALSE_POSITIVE
    assert Finding.objects.filter(project=project).count() == 1


def test_the_finding_page_shows_the_scanned_code_and_the_rule(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    member_client: Client,
    django_assert_max_num_queries: Callable[[int], AbstractContextManager[object]],
) -> None:
    repo = make_repo("r")
    repo.commit({"app.py": "import time\n\nasync def handler():\n    time.sleep(1)\n"})
    project = project_factory(repo_url=str(repo.path))
    scan, _ = request_scan(project, Scan.Trigger.CLI)
    run_scan(scan.pk)
    repo.commit({"app.py": "# the work tree moved on\n"})  # the page reads the scanned commit
    finding = Finding.objects.get(project=project, rule_id="AS001")
    with django_assert_max_num_queries(12):
        page = member_client.get(finding.get_absolute_url()).content.decode()
    assert 'class="hll"' in page  # the flagged line is highlighted
    assert "async" in page and "handler" in page
    assert 'id="rule-doc"' in page
    # the rule's severity reason and its precision on real code (docs/severity.md)
    rule = rule_doc("AS001")
    assert rule is not None and rule.severity_reason
    assert 'id="rule-precision"' in page
    assert f"Precision on real code: {rule.precision_text}; {rule.profile} profile" in page
    assert escape(rule.severity_reason) in page
    assert f"Severity {rule.severity}: " not in page  # the reason names its severity itself
    # The rule's explanation is Markdown: its code spans are code, not raw backticks.
    explanation = page.split('id="rule-explanation"')[1].split("</div>")[0]
    assert "<code>async def</code>" in explanation and "`" not in explanation
    assert "view in repository" not in page  # a local path has no web UI


def test_a_ruff_finding_shows_the_rule_doc_and_links_to_ruff(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    finding = make_findings(project, 1, rule_id="ruff:E722", category="tooling")[0]
    unknown = make_findings(project, 1, rule_id="XX999")[0]
    page = member_client.get(finding.get_absolute_url()).content.decode()
    assert 'id="rule-doc"' in page and "About ruff:E722" in page
    assert 'href="https://docs.astral.sh/ruff/rules/#E722"' in page
    assert 'id="rule-precision"' in page and "Precision on real code:" in page
    other = member_client.get(unknown.get_absolute_url())
    assert other.status_code == 200 and 'id="rule-doc"' not in other.content.decode()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/o/r.git", "https://github.com/o/r/blob/abc123/app/x.py#L7"),
        ("git@github.com:o/r.git", "https://github.com/o/r/blob/abc123/app/x.py#L7"),
        ("https://gitlab.com/g/s/r.git", "https://gitlab.com/g/s/r/-/blob/abc123/app/x.py#L7"),
        ("https://bitbucket.org/o/r", "https://bitbucket.org/o/r/src/abc123/app/x.py#lines-7"),
        ("https://git.internal.example/o/r.git", ""),
        (
            "https://oauth2:${TOKEN}@gitlab.com/g/r.git",
            "https://gitlab.com/g/r/-/blob/abc123/app/x.py#L7",
        ),
    ],
)
def test_links_to_known_hosts(url: str, expected: str) -> None:
    from dashboard.code_view import web_url

    assert web_url(url, "abc123", "app/x.py", 7) == expected


def test_reopen_is_offered_only_for_a_triaged_finding(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    finding = make_findings(project, 1)[0]
    reopen = 'name="action" value="reopen"'
    assert reopen not in member_client.get(finding.get_absolute_url()).content.decode()
    answer = member_client.post(
        triage_url(finding), {"action": "acknowledge"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert (
        reopen in answer
        and reopen in member_client.get(finding.get_absolute_url()).content.decode()
    )
