"""Quality profiles through the real scan path (real git repository, real PostgreSQL, the
engine with ruff off): the code context stored on each finding, the version a scan used,
a profile change as a rule-set change (new findings "from a new rule", removed ones closed
as *excluded*, never fixed), the team default vs the project's own, and bad input (a
broken stored profile, a broken ``[tool.reviewdeck]``) as notes on a scan that succeeds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviewer import quality_profiles
from reviewer.engine.profile import Profile
from reviewer.models import Finding, FindingEvent, Project, QualityProfileVersion, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo

pytestmark = pytest.mark.django_db

SLEEPY = "import time\n\n\nasync def handler():\n    time.sleep(1)\n    return 1\n"
# Test code: AS001 is not reported there (a test's loop serves no request), PD005 is, as
# a Suggestion (docs/severity.md).
TESTY = (
    "from pydantic import BaseSettings\n\n\n"
    "class Settings(BaseSettings):\n    debug: bool = False\n"
)
MIGRATION = (
    "from alembic import op\n\nrevision = '{rev}'\ndown_revision = None\n\n\n"
    "def upgrade():\n    op.create_index('ix_{rev}', 'user', ['email'])\n\n\n"
    "def downgrade():\n    op.drop_index('ix_{rev}')\n"
)
TREE = {
    "app/main.py": SLEEPY,
    "app/jobs.py": SLEEPY.replace("handler", "job"),
    "tests/test_main.py": TESTY,
    "alembic/versions/0001_pg.py": MIGRATION.format(rev="0001"),
    "alembic/versions/sqlite/0001_lite.py": MIGRATION.format(rev="lite"),
}


def scan_now(project: Project) -> Scan:
    scan, created = request_scan(project, Scan.Trigger.CLI)
    assert created
    run_scan(scan.pk)
    scan.refresh_from_db()
    assert scan.status == Scan.Status.SUCCEEDED, scan.error
    return scan


def open_rules(project: Project) -> set[tuple[str, str]]:
    return set(
        Finding.objects.filter(project=project, status=Finding.Status.OPEN).values_list(
            "rule_id", "path"
        )
    )


@pytest.fixture
def repo(make_repo: Callable[[str], GitRepo], monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    repo = make_repo("r")
    stamp = "2026-03-02T10:00:00+00:00"
    monkeypatch.setenv("GIT_AUTHOR_DATE", stamp)
    monkeypatch.setenv("GIT_COMMITTER_DATE", stamp)
    repo.commit(TREE)
    monkeypatch.delenv("GIT_AUTHOR_DATE")
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    return repo


@pytest.fixture
def project(workdir: Path, repo: GitRepo, project_factory: Callable[..., Project]) -> Project:
    return project_factory(repo_url=str(repo.path))


def test_each_finding_stores_the_context_the_scan_classified(project: Project) -> None:
    scan = scan_now(project)
    found = {
        (f.rule_id, f.path): (f.context, f.dialects, f.get_severity_display())
        for f in Finding.objects.filter(project=project)
    }
    assert found[("AS001", "app/main.py")] == ("production", "", "Critical")
    # Test code: at most a Suggestion (docs/severity.md).
    assert found[("PD005", "tests/test_main.py")][:1] == ("test",)
    assert found[("PD005", "tests/test_main.py")][2] == "Suggestion"
    assert scan.profile_version is None  # no profile saved: the built-in default
    # AL004 is extended-only (precision under 0.8, docs/severity.md).
    assert not any(rule == "AL004" for rule, _path in found)
    assert project.team is not None
    quality_profiles.save_version(
        quality_profiles.profile_of_team(project.team), Profile(extended=True)
    )
    scan_now(project)
    found = {
        (f.rule_id, f.path): (f.context, f.dialects, f.get_severity_display())
        for f in Finding.objects.filter(project=project)
    }
    assert found[("AL004", "alembic/versions/0001_pg.py")][0] == "migration"
    assert found[("AL004", "alembic/versions/0001_pg.py")][1]  # dialects known or "unknown"
    # A chain under versions/sqlite/ never runs on PostgreSQL: no CONCURRENTLY finding.
    assert ("AL004", "alembic/versions/sqlite/0001_lite.py") not in found


def test_a_profile_change_closes_findings_as_excluded_and_reopens_none(
    project: Project, member: object
) -> None:
    first = scan_now(project)
    assert {("AS001", "app/main.py"), ("PD005", "tests/test_main.py")} <= open_rules(project)
    assert project.team is not None
    team_profile = quality_profiles.profile_of_team(project.team)
    v1 = quality_profiles.save_version(
        team_profile, Profile(exclude=("tests/**",), disabled=("AL",)), comment="quieter"
    )
    assert v1 is not None and v1.number == 1

    second = scan_now(project)  # same commit, new rule set: not skipped
    assert second.profile_version == v1 and second.ruleset_hash != first.ruleset_hash
    gone = Finding.objects.filter(project=project, status=Finding.Status.EXCLUDED)
    # (PT004 and AL004 are extended-only: not in the default profile to begin with.)
    assert {(f.rule_id, f.path) for f in gone} == {("PD005", "tests/test_main.py")}
    assert all(f.fixed_in_scan_id is None for f in gone)
    assert second.summary.excluded_count == 1 and second.summary.fixed_count == 0
    assert set(FindingEvent.objects.filter(scan=second).values_list("kind", flat=True)) == {
        FindingEvent.Kind.EXCLUDED
    }
    assert open_rules(project) == {("AS001", "app/main.py"), ("AS001", "app/jobs.py")}

    # Back to the default: the same findings come back open, not "reopened", not new.
    v2 = quality_profiles.save_version(team_profile, Profile())
    assert v2 is not None and v2.number == 2
    third = scan_now(project)
    back = Finding.objects.get(project=project, rule_id="PD005", path="tests/test_main.py")
    assert back.status == Finding.Status.OPEN and back.reopen_count == 0
    assert list(back.events.values_list("kind", flat=True)) == ["created", "excluded", "included"]
    assert third.summary.reopened_count == 0 and third.summary.new_count == 0
    assert third.summary.fixed_count == 0


def test_findings_a_profile_adds_in_untouched_code_are_from_a_new_rule(
    project: Project, repo: GitRepo
) -> None:
    assert project.team is not None
    team_profile = quality_profiles.profile_of_team(project.team)
    quality_profiles.save_version(team_profile, Profile(disabled=("AS001",)))
    first = scan_now(project)
    assert not Finding.objects.filter(project=project, rule_id="AS001").exists()

    # The profile switches AS001 on while a commit adds a file with the same problem.
    repo.commit({"app/new.py": SLEEPY})
    quality_profiles.save_version(team_profile, Profile())
    second = scan_now(project)
    assert second.ruleset_hash != first.ruleset_hash
    old = Finding.objects.get(project=project, rule_id="AS001", path="app/main.py")
    new = Finding.objects.get(project=project, rule_id="AS001", path="app/new.py")
    assert old.from_new_rule and old.introduced_at == datetime(2026, 3, 2, 10, tzinfo=UTC)
    assert not new.from_new_rule
    assert second.summary.new_count == 1


def test_severity_overrides_and_tests_suggestions_only_change_stored_findings(
    project: Project,
) -> None:
    scan_now(project)
    assert project.team is not None
    quality_profiles.save_version(
        quality_profiles.profile_of_team(project.team),
        Profile(severity={"AS001": "important"}, tests_suggestions_only=True),
    )
    scan_now(project)
    main = Finding.objects.get(project=project, rule_id="AS001", path="app/main.py")
    assert main.get_severity_display() == "Important" and main.status == Finding.Status.OPEN
    in_tests = Finding.objects.filter(project=project, path__startswith="tests/")
    assert {f.get_severity_display() for f in in_tests} == {"Suggestion"}


def test_the_project_profile_overrides_the_team_default(project: Project) -> None:
    assert project.team is not None
    team_v = quality_profiles.save_version(
        quality_profiles.profile_of_team(project.team), Profile(exclude=("app/jobs.py",))
    )
    own_v = quality_profiles.save_version(
        quality_profiles.profile_of_project(project), Profile(exclude=("app/main.py",))
    )
    assert quality_profiles.effective_version(project) == team_v  # not switched on yet
    project.use_own_profile = True
    project.save()
    scan = scan_now(project)
    assert scan.profile_version == own_v
    paths = {path for rule, path in open_rules(project) if rule in ("AS001", "PD005")}
    assert paths == {"app/jobs.py", "tests/test_main.py"}
    assert quality_profiles.describe(own_v) == "this project's own profile, version 1"


def test_saving_the_same_settings_adds_no_version_and_the_next_scan_is_skipped(
    project: Project,
) -> None:
    assert project.team is not None
    owner = quality_profiles.profile_of_team(project.team)
    assert quality_profiles.save_version(owner, Profile(disabled=("PT",))) is not None
    first = scan_now(project)
    assert quality_profiles.save_version(owner, Profile(disabled=("PT",))) is None
    assert owner.versions.count() == 1
    again, _ = request_scan(project, Scan.Trigger.SCHEDULE)
    run_scan(again.pk)
    again.refresh_from_db()
    assert again.status == Scan.Status.SKIPPED and again.ruleset_hash == first.ruleset_hash


def test_a_broken_stored_profile_is_noted_on_the_scan_and_the_rest_applies(
    project: Project,
) -> None:
    assert project.team is not None
    # Written around the form (the admin's JSON, an old version naming a removed rule).
    QualityProfileVersion.objects.create(
        profile=quality_profiles.profile_of_team(project.team),
        number=1,
        disabled=["ZZ999", "PT"],
        severity={"AS001": "urgent", "NOPE1": "critical"},
        exclude=["/etc/*", "app/jobs.py"],
    )
    scan = scan_now(project)
    notes = [n["message"] for n in scan.stats["config_notes"]]
    assert any("ZZ999" in n for n in notes)
    assert any("urgent" in n for n in notes)
    assert any("NOPE1" in n for n in notes)
    assert any("/etc/*" in n for n in notes)
    assert {n["path"] for n in scan.stats["config_notes"]} == {"quality profile"}
    # The valid entries still apply: PT off, app/jobs.py excluded.
    rules = open_rules(project)
    assert ("AS001", "app/main.py") in rules and ("AS001", "app/jobs.py") not in rules
    assert not any(rule.startswith("PT") for rule, _ in rules)


def test_a_broken_tool_reviewdeck_is_noted_on_the_scan_and_the_rest_applies(
    project: Project, repo: GitRepo, member_client: Client
) -> None:
    repo.commit(
        {
            "pyproject.toml": "[project]\nname = 'x'\nversion = '1'\n\n[tool.reviewdeck]\n"
            'disable = ["QQ123", "PT"]\nexclude = ["app/jobs.py", "bad[glob"]\n'
            'severity = { AS001 = "catastrophic" }\n'
        }
    )
    scan = scan_now(project)
    notes = " | ".join(n["message"] for n in scan.stats["config_notes"])
    assert "QQ123" in notes and "bad[glob" in notes and "catastrophic" in notes
    assert {n["path"] for n in scan.stats["config_notes"]} == {"pyproject.toml"}
    rules = open_rules(project)
    assert ("AS001", "app/main.py") in rules and ("AS001", "app/jobs.py") not in rules
    assert not any(rule.startswith("PT") for rule, _ in rules)
    main = Finding.objects.get(project=project, rule_id="AS001", path="app/main.py")
    assert main.get_severity_display() == "Critical"  # the bad override was left out
    page = member_client.get(reverse("dashboard:scan", args=[project.slug, scan.pk]))
    html = page.content.decode()
    assert 'id="config-notes"' in html and "QQ123" in html and "bad[glob" in html


def test_backfill_runs_with_the_profile_and_records_its_version(
    project: Project, repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reviewer.backfill import backfill

    assert project.team is not None
    version = quality_profiles.save_version(
        quality_profiles.profile_of_team(project.team), Profile(exclude=("tests/**",))
    )
    stamp = (datetime.now(UTC) - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    monkeypatch.setenv("GIT_AUTHOR_DATE", stamp)
    monkeypatch.setenv("GIT_COMMITTER_DATE", stamp)
    repo.commit({"app/late.py": SLEEPY})
    monkeypatch.delenv("GIT_AUTHOR_DATE")
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    repo.commit({"app/head.py": "x = 1\n"})  # this week's point (history ends at the head)
    scans = backfill(project, weeks=3).scans
    assert len(scans) == 2 and {s.profile_version for s in scans} == {version}
    assert {s.status for s in scans} == {Scan.Status.SUCCEEDED}
    paths = set(Finding.objects.filter(project=project).values_list("path", flat=True))
    assert "app/late.py" in paths and not any(p.startswith("tests/") for p in paths)


def test_excluded_findings_never_count_as_fixed_in_digests_meetings_or_the_overview(
    project: Project,
) -> None:
    from reviewer import digests, meetings
    from reviewer.overview import movement_since

    started = timezone.now() - timedelta(minutes=1)
    scan_now(project)
    assert project.team is not None
    quality_profiles.save_version(
        quality_profiles.profile_of_team(project.team), Profile(disabled=("AS001", "PD005"))
    )
    second = scan_now(project)
    assert second.summary.excluded_count >= 3 and second.summary.fixed_count == 0
    digest = digests.scan_digest(second)
    assert digest.fixed_total == 0
    assert digests.weekly_digest(project).fixed_total == 0
    agenda = meetings.agenda(project.team, started)
    assert agenda.fixed_total == 0 and agenda.fixed == []
    assert movement_since([project.pk], started)[project.pk][1] == 0
