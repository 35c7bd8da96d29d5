"""Scan lifecycle: skipped when nothing changed, new rules are not new problems, transient
git failures retried, history backfilled one scan per week."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reviewer.backfill import backfill
from reviewer.models import Finding, FindingEvent, Project, Scan, ScanSummary
from reviewer.scanning import request_scan, run_scan
from reviewer.tasks import onboard_project, scan_project
from tests.conftest import GitRepo

pytestmark = pytest.mark.django_db

SLEEPY = "import time\n\nasync def handler():\n    time.sleep(1)\n"
LEGACY_QUERY = "def load(session):\n    return session.query(User).all()\n"


def scan_now(project: Project, trigger: str = Scan.Trigger.CLI) -> Scan:
    scan, created = request_scan(project, trigger)
    assert created
    run_scan(scan.pk)
    scan.refresh_from_db()
    return scan


def commit_at(repo: GitRepo, when: datetime, files: dict[str, str], mp: pytest.MonkeyPatch) -> str:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    mp.setenv("GIT_AUTHOR_DATE", stamp)
    mp.setenv("GIT_COMMITTER_DATE", stamp)
    return repo.commit(files, f"at {stamp}")


def test_an_unchanged_head_is_skipped_without_new_work(
    workdir: Path, make_repo: Callable[[str], GitRepo], project_factory: Callable[..., Project]
) -> None:
    repo = make_repo("r")
    repo.commit({"app.py": SLEEPY})
    project = project_factory(repo_url=str(repo.path))
    first = scan_now(project)
    assert first.status == Scan.Status.SUCCEEDED
    events, summaries = FindingEvent.objects.count(), ScanSummary.objects.count()
    second = scan_now(project, Scan.Trigger.SCHEDULE)
    assert second.status == Scan.Status.SKIPPED
    assert f"#{first.pk}" in second.progress_message
    assert (FindingEvent.objects.count(), ScanSummary.objects.count()) == (events, summaries)
    # The overview's "last scan" stays the last real result; the check is last_synced_at.
    project.refresh_from_db()
    assert project.last_scan == first and project.last_synced_at is not None
    assert project.last_synced_at >= second.created_at
    # A manual scan of the same head is always done (it is how a user checks a change).
    manual = scan_now(project, Scan.Trigger.MANUAL)
    assert manual.status == Scan.Status.SUCCEEDED and manual.summary.new_count == 0
    repo.commit({"other.py": "x = 1\n"})
    assert scan_now(project, Scan.Trigger.SCHEDULE).status == Scan.Status.SUCCEEDED


def test_with_claude_agents_an_unchanged_head_is_skipped_unless_their_run_failed(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    settings: object,
) -> None:
    settings.ANTHROPIC_API_KEY = "sk-test-never-sent"  # type: ignore[attr-defined]
    repo = make_repo("r")
    repo.commit({"app.py": SLEEPY})
    project = project_factory(repo_url=str(repo.path))
    try:
        first = scan_now(project)
        assert first.status == Scan.Status.SUCCEEDED and first.agents_hash
        assert first.agent_runs and {r["status"] for r in first.agent_runs.values()} == {"queued"}
        second = scan_now(project, Scan.Trigger.SCHEDULE)
        assert second.status == Scan.Status.SKIPPED
        assert second.agents_hash == first.agents_hash
        # A Claude part that failed is worth another try on the same head.
        failed = {name: {"status": "failed", "error": "x"} for name in first.agent_runs}
        Scan.objects.filter(pk=first.pk).update(agent_runs=failed)
        assert scan_now(project, Scan.Trigger.SCHEDULE).status == Scan.Status.SUCCEEDED
    finally:  # the queued Claude reviews are not this test's business
        from dashboard.celery import app

        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("claude")  # type: ignore[attr-defined]


def test_findings_of_a_new_rule_in_untouched_files_are_not_new_problems(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = make_repo("r")
    written = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    commit_at(repo, written, {"old.py": LEGACY_QUERY}, monkeypatch)
    # The first scan runs only the asyncio rules: SA001 is "not yet in the rule set".
    project = project_factory(repo_url=str(repo.path), agents=["python-backend-architect"])
    first = scan_now(project)
    assert first.status == Scan.Status.SUCCEEDED
    assert not Finding.objects.filter(project=project).exists()
    # The rule set grows and a commit adds a new file with the same problem.
    commit_at(repo, written + timedelta(days=30), {"new.py": LEGACY_QUERY}, monkeypatch)
    Project.objects.filter(pk=project.pk).update(agents=[])
    project.refresh_from_db()
    second = scan_now(project)
    assert second.status == Scan.Status.SUCCEEDED and second.ruleset_hash != first.ruleset_hash
    old = Finding.objects.get(project=project, path="old.py", rule_id="SA001")
    new = Finding.objects.get(project=project, path="new.py", rule_id="SA001")
    assert old.from_new_rule and old.introduced_at == written
    assert not new.from_new_rule and new.introduced_at is None
    assert (
        second.summary.new_count
        == Finding.objects.filter(project=project, from_new_rule=False).count()
    )


def test_findings_a_changed_rule_stops_reporting_in_untouched_files_are_not_fixes(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = make_repo("r")
    written = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    commit_at(repo, written, {"old.py": LEGACY_QUERY, "svc.py": SLEEPY}, monkeypatch)
    project = project_factory(repo_url=str(repo.path))
    first = scan_now(project)
    assert first.status == Scan.Status.SUCCEEDED
    # The findings an older engine stored: one of a rule it has since dropped, in a file
    # the next commit leaves alone.
    Scan.objects.filter(pk=first.pk).update(ruleset_hash="an-older-engine")
    known = Finding.objects.get(project=project, path="old.py", rule_id="SA001")
    known.pk = None
    known.rule_id, known.line_hash = "XX001", "retired"
    known.save()
    retired = known
    # The next commit fixes the blocking call in svc.py only.
    fixed_code = "import asyncio\n\nasync def handler():\n    await asyncio.sleep(1)\n"
    commit_at(repo, written + timedelta(days=7), {"svc.py": fixed_code}, monkeypatch)
    second = scan_now(project)
    assert second.status == Scan.Status.SUCCEEDED
    retired.refresh_from_db()
    assert retired.status == Finding.Status.EXCLUDED and retired.fixed_in_scan is None
    blocking = Finding.objects.get(project=project, path="svc.py", rule_id="AS001")
    assert blocking.status == Finding.Status.FIXED and blocking.fixed_in_scan == second
    assert Finding.objects.get(project=project, path="old.py", rule_id="SA001").is_open
    assert second.summary.fixed_count == 1 and second.summary.excluded_count == 1
    assert FindingEvent.objects.filter(scan=second, kind="excluded", finding=retired).exists()


def test_a_transient_git_failure_is_retried_then_fails_with_the_reason(
    workdir: Path,
    project_factory: Callable[..., Project],
    settings: object,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.REVIEWDECK_RETRY_BACKOFF = 0  # type: ignore[attr-defined]
    settings.REVIEWDECK_SCAN_RETRIES = 2  # type: ignore[attr-defined]
    project = project_factory(repo_url="https://127.0.0.1:9/team/app.git")  # nothing listens
    scan, _ = request_scan(project)
    with caplog.at_level(logging.INFO, logger="reviewer.tasks"):
        outcome = scan_project.apply(args=(scan.pk,))  # eager: retries run in this process
    scan.refresh_from_db()
    retries = [r.getMessage() for r in caplog.records if "transient git failure" in r.getMessage()]
    assert len(retries) == 2 and "retry 1 in 0s" in retries[0] and "retry 2" in retries[1]
    assert outcome.result == "failed" or scan.status == Scan.Status.FAILED
    assert scan.status == Scan.Status.FAILED
    assert "could not reach the repository" in scan.error.lower(), scan.error
    assert outcome.task_id and scan_project.max_retries is None


def test_a_permanent_git_failure_is_not_retried(
    workdir: Path, project_factory: Callable[..., Project], settings: object, tmp_path: Path
) -> None:
    settings.REVIEWDECK_RETRY_BACKOFF = 0  # type: ignore[attr-defined]
    project = project_factory(repo_url=str(tmp_path))  # not a git repository
    scan, _ = request_scan(project)
    scan_project.apply(args=(scan.pk,))
    scan.refresh_from_db()
    assert scan.status == Scan.Status.FAILED and "git repository" in scan.error


def test_backfill_scans_one_commit_per_week_dated_at_the_commit(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = datetime.now(UTC)
    monday = (now - timedelta(days=now.weekday())).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    repo = make_repo("r")
    week = [monday - timedelta(weeks=n) for n in (4, 3, 2)]
    # Week -4: a problem appears; week -3: two commits (the later one counts), the problem
    # is fixed and another appears; week -2: the first comes back.
    commit_at(repo, week[0], {"a.py": SLEEPY}, monkeypatch)
    commit_at(repo, week[1], {"a.py": "x = 1\n"}, monkeypatch)
    last_of_week = commit_at(repo, week[1] + timedelta(days=1), {"b.py": LEGACY_QUERY}, monkeypatch)
    commit_at(repo, week[2], {"a.py": SLEEPY}, monkeypatch)
    head = commit_at(repo, monday + timedelta(hours=1), {"c.py": "y = 2\n"}, monkeypatch)
    project = project_factory(repo_url=str(repo.path))

    done = backfill(project, weeks=6)
    scans = done.scans
    assert done.note == "4 week(s) backfilled"
    assert [s.status for s in scans] == [Scan.Status.SUCCEEDED] * 4
    assert all(s.trigger == Scan.Trigger.BACKFILL for s in scans)
    assert scans[-1].commit_sha == head  # history runs up to the head's week
    assert scans[1].commit_sha == last_of_week
    dates = [s.summary.created_at for s in scans]
    assert [d.date() for d in dates] == [
        week[0].date(),
        (week[1] + timedelta(days=1)).date(),
        week[2].date(),
        monday.date(),
    ]
    # The scans themselves are dated at their commits, as the findings they first saw.
    assert [s.created_at for s in scans] == dates
    sleepy = Finding.objects.get(project=project, path="a.py", rule_id="AS001")
    assert sleepy.first_seen_scan == scans[0] and sleepy.reopen_count == 1
    assert sleepy.introduced_at == week[0]  # as old as the commit that brought it
    assert [s.summary.open_total for s in scans] == [1, 1, 2, 2]
    # The first week is the baseline: its findings are the starting point, not "new".
    assert scans[0].is_baseline and [s.summary.new_count for s in scans] == [0, 1, 0, 0]
    assert [s.summary.reopened_count for s in scans] == [0, 0, 1, 0]

    # Run again: nothing is scanned twice. Then the first regular scan: nothing is "new".
    assert backfill(project, weeks=6).scans == []
    regular = scan_now(project)
    assert regular.status == Scan.Status.SUCCEEDED
    assert regular.summary.new_count == 0
    assert Finding.objects.filter(project=project).count() == 2
    assert not Finding.objects.filter(project=project).new_problems().exists()
    repo.commit({"d.py": SLEEPY})
    assert scan_now(project).summary.new_count == 1
    assert Finding.objects.filter(project=project).new_problems().get().path == "d.py"


def test_backfill_of_a_project_with_history_adds_summaries_only(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = datetime.now(UTC)
    repo = make_repo("r")
    commit_at(repo, now - timedelta(weeks=3), {"a.py": SLEEPY}, monkeypatch)
    commit_at(repo, now - timedelta(minutes=5), {"b.py": LEGACY_QUERY}, monkeypatch)
    project = project_factory(repo_url=str(repo.path))
    regular = scan_now(project)
    findings = set(Finding.objects.values_list("pk", "first_seen_scan"))
    scans = backfill(project, weeks=5).scans
    assert len(scans) == 1 and scans[0].summary.open_critical == 1
    assert scans[0].summary.created_at < regular.summary.created_at
    assert set(Finding.objects.values_list("pk", "first_seen_scan")) == findings


def test_a_new_project_is_onboarded_with_its_history_then_its_head(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = datetime.now(UTC)
    repo = make_repo("r")
    commit_at(repo, now - timedelta(weeks=3), {"a.py": SLEEPY}, monkeypatch)
    commit_at(repo, now - timedelta(weeks=1), {"b.py": LEGACY_QUERY}, monkeypatch)
    head = commit_at(repo, now - timedelta(minutes=1), {"c.py": "y = 2\n"}, monkeypatch)
    project = project_factory(repo_url=str(repo.path), backfill_weeks=4)
    onboard_project.apply(args=(project.pk,))
    scans = list(Scan.objects.filter(project=project).order_by("id"))
    assert [s.trigger for s in scans] == ["backfill", "backfill", "backfill", "manual"]
    assert {s.status for s in scans} == {Scan.Status.SUCCEEDED}
    regular = scans[-1]
    assert regular.commit_sha == head and regular.summary.new_count == 0
    project.refresh_from_db()
    assert project.last_scan == regular and project.latest_summary == regular.summary
    assert [s.summary.open_critical for s in scans] == [1, 1, 1, 1]
