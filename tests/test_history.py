"""History and numbers in the README's default layout (issue 12): the data folder ``var/``
inside a git checkout that ignores it, real repositories with commits at chosen dates,
backfill through the real engine, then the figures the pages show."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from reviewer.backfill import backfill
from reviewer.meetings import agenda, window_findings
from reviewer.metrics import insights, weekly_by_project
from reviewer.models import Finding, Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo

pytestmark = pytest.mark.django_db

SLEEPY = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"
LEGACY = "def load(session):\n    return session.query(User).all()\n"
CLEAN = "def load(session):\n    return session.scalars(select(User)).all()\n"


def scan_now(project: Project) -> Scan:
    scan, created = request_scan(project, Scan.Trigger.MANUAL)
    assert created
    run_scan(scan.pk)
    scan.refresh_from_db()
    return scan


def monday_9am(moment: datetime) -> datetime:
    return (moment - timedelta(days=moment.weekday())).replace(
        hour=9, minute=0, second=0, microsecond=0
    )


@pytest.fixture
def history(
    readme_layout: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
) -> dict[str, object]:
    """Six weeks of a repository: week -5 brings two problems, week -4 fixes the legacy
    query, week -3 adds a blocking call elsewhere, week -1 brings the legacy query back;
    this week (two days ago) fixes the second blocking call. Backfilled, then scanned."""
    now = datetime.now(UTC)
    this_monday = monday_9am(now)
    repo = make_repo("shop")
    dates = {
        "w5": this_monday - timedelta(weeks=5),
        "w4": this_monday - timedelta(weeks=4),
        "w3": this_monday - timedelta(weeks=3),
        "w1": this_monday - timedelta(weeks=1),
        "d2": now - timedelta(days=2),
    }
    repo.commit({"app/a.py": SLEEPY, "app/b.py": LEGACY}, when=dates["w5"])
    repo.commit({"app/b.py": CLEAN}, when=dates["w4"])
    repo.commit({"app/c.py": SLEEPY.replace("handler", "other")}, when=dates["w3"])
    repo.commit({"app/b.py": LEGACY}, when=dates["w1"])
    repo.commit({"app/c.py": "x = 1\n"}, when=dates["d2"])
    project = project_factory(repo_url=str(repo.path), backfill_weeks=8)
    done = backfill(project)
    regular = scan_now(project)
    return {"project": project, "repo": repo, "dates": dates, "backfill": done, "now": now,
            "regular": regular}  # fmt: skip


def test_backfill_in_the_default_layout_reviews_every_week(history: dict[str, object]) -> None:
    done = history["backfill"]
    scans = done.scans  # type: ignore[attr-defined]
    assert len(scans) == 5 and done.note == "5 week(s) backfilled"  # type: ignore[attr-defined]
    assert all(s.status == Scan.Status.SUCCEEDED for s in scans)
    assert [s.files_reviewed for s in scans] == [2, 2, 3, 3, 3]
    assert [s.summary.open_total for s in scans] == [2, 1, 2, 3, 2]
    regular: Scan = history["regular"]  # type: ignore[assignment]
    assert regular.summary.new_count == 0 and regular.summary.open_total == 2


def test_backfilled_scans_and_findings_carry_their_commit_dates(
    history: dict[str, object], member_client: Client
) -> None:
    project: Project = history["project"]  # type: ignore[assignment]
    dates: dict[str, datetime] = history["dates"]  # type: ignore[assignment]
    sleepy = Finding.objects.get(project=project, path="app/a.py")
    assert sleepy.first_seen_scan is not None
    assert sleepy.first_seen_scan.created_at == dates["w5"]
    assert sleepy.introduced_at == dates["w5"]
    page = member_client.get(sleepy.get_absolute_url()).content.decode()
    assert f"({dates['w5']:%Y-%m-%d})" in page

    # Mean age: the open findings are from week -5 (a.py, and b.py's legacy query that came
    # back in week -1 as a reopened finding first seen in week -5).
    found = insights(project, now=history["now"])  # type: ignore[arg-type]
    age = (timezone.now() - dates["w5"]).total_seconds() / 86400
    assert abs(found.age_days["critical"] - age) < 0.2
    assert abs(found.age_days["suggestion"] - age) < 0.2  # SA001: a Suggestion
    # Time to fix: c.py's blocking call, first seen in week -3, fixed two days ago.
    expected_fix = (dates["d2"] - dates["w3"]).total_seconds() / 86400
    assert abs(found.fix_days["critical"] - expected_fix) < 0.2
    # Nothing open is from code of the last 30 days (b.py's problem is a reopened one).
    assert found.new_code_open == 0 and found.open_total == 2
    trends = member_client.get(f"/projects/{project.slug}/trends/").content.decode()
    assert "0 of 2 open findings come from code of the last 30 days" in trends


def test_weeks_before_the_first_scan_have_no_data_and_the_first_scan_is_the_baseline(
    history: dict[str, object], member_client: Client
) -> None:
    project: Project = history["project"]  # type: ignore[assignment]
    _, series = weekly_by_project([project.pk], 8)
    weeks = series[project.pk]
    assert [w.state is None for w in weeks] == [True, True] + [False] * 6
    assert [w.new for w in weeks] == [None, None, 0, 0, 1, 0, 0, 0]
    assert [w.fixed for w in weeks] == [None, None, 0, 1, 0, 0, 0, 1]
    assert [w.state.open_total if w.state else None for w in weeks][2:] == [2, 1, 2, 2, 3, 2]
    page = member_client.get(f"/projects/{project.slug}/trends/?weeks=12").content.decode()
    flow = page.split("New vs fixed</h2>")[1].split("</figure>")[0]
    # Bars only for the weeks with data (6 of 12), two per week; none says "New 2".
    assert len(re.findall(r"<rect ", flow)) == 12
    assert "New 2<" not in flow
    open_chart = page.split("Open findings</h2>")[1].split("</figure>")[0]
    first_point = re.search(r'class="line s-critical" points="([\d.]+),', open_chart)
    assert first_point is not None and float(first_point.group(1)) > 44 + 5 * 10


def test_the_meeting_counts_only_regular_scans_inside_its_window(
    history: dict[str, object], team: Group
) -> None:
    project: Project = history["project"]  # type: ignore[assignment]
    now: datetime = history["now"]  # type: ignore[assignment]
    # c.py's fix two days ago was found by the backfill: it is history, not this week.
    week = agenda(team, now - timedelta(days=7), now + timedelta(minutes=1))
    assert week.fixed_total == 0 and week.new_total == 0
    assert Finding.objects.filter(project=project, status=Finding.Status.FIXED).count() == 1

    repo: GitRepo = history["repo"]  # type: ignore[assignment]
    repo.commit({"app/a.py": "x = 2\n", "app/d.py": SLEEPY})
    scan_now(project)
    week = agenda(team, now - timedelta(days=7), timezone.now())
    assert [f.path for f in week.fixed] == ["app/a.py"]
    assert [(g.rule_id, g.files) for g in week.groups] == [("AS001", 1)]
    assert window_findings(team, now - timedelta(days=7)).get().path == "app/d.py"


def test_a_dormant_repository_gets_the_weeks_before_its_head(
    readme_layout: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    member_client: Client,
) -> None:
    repo = make_repo("old")
    head_day = monday_9am(datetime.now(UTC) - timedelta(days=730))
    repo.commit({"a.py": SLEEPY}, when=head_day - timedelta(weeks=3))
    repo.commit({"b.py": LEGACY}, when=head_day - timedelta(weeks=1))
    repo.commit({"b.py": CLEAN}, when=head_day)
    project = project_factory(repo_url=str(repo.path), backfill_weeks=12)
    done = backfill(project)
    assert done.note == (
        f"no commits in the last 12 weeks; history ends {head_day:%Y-%m-%d}: 3 week(s) backfilled"
    )
    assert [s.created_at for s in done.scans] == [
        head_day - timedelta(weeks=3),
        head_day - timedelta(weeks=1),
        head_day,
    ]
    project.refresh_from_db()
    assert project.backfill_note == done.note
    page = member_client.get(f"/projects/{project.slug}/settings/").content.decode()
    assert f"Last backfill: {done.note}." in page
    scan_now(project)
    found = insights(project)
    assert 750 <= found.age_days["critical"] <= 755
    assert found.new_code_open == 0
