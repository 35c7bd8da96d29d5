"""The project settings page edits the schedule (stored for beat), backfill and digests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from reviewer.models import Project
from tests.conftest import GitRepo

pytestmark = pytest.mark.django_db

BASE = {
    "schedule": "off",
    "every_minutes": "",
    "cron": "",
    "timezone": "UTC",
    "backfill_weeks": "12",
    "digest_emails": "",
    "digest_webhook_url": "",
}


def save(client: Client, project: Project, **changes: str) -> str:
    url = reverse("dashboard:project_settings", args=[project.slug])
    response = client.post(url, {**BASE, **changes}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_interval_then_cron_then_off(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    page = save(member_client, project, schedule="interval", every_minutes="30")
    assert "every 30 min" in page
    project.refresh_from_db()
    task = PeriodicTask.objects.get(pk=project.schedule_id)
    assert task.task == "reviewer.scheduled_scan" and task.args == f"[{project.pk}]"
    assert task.interval is not None and task.interval.every == 30
    assert task.interval.period == "minutes" and task.enabled

    page = save(
        member_client, project, schedule="cron", cron="0 6 * * 1-5", timezone="Europe/Berlin"
    )
    task.refresh_from_db()
    assert task.interval is None and task.crontab is not None
    assert (task.crontab.hour, task.crontab.day_of_week) == ("6", "1-5")
    assert str(task.crontab.timezone) == "Europe/Berlin"
    assert "cron &#x27;0 6 * * 1-5&#x27; (Europe/Berlin)" in page

    save(member_client, project, schedule="off")
    project.refresh_from_db()
    assert project.schedule is None and not PeriodicTask.objects.filter(pk=task.pk).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"schedule": "cron", "cron": "every day"}, "five fields"),
        ({"schedule": "cron", "cron": "61 * * * *"}, "Not a valid cron schedule"),
        ({"schedule": "interval", "every_minutes": ""}, "How often"),
        ({"digest_emails": "lead@example.com, not-an-address"}, "valid email"),
        ({"digest_webhook_url": "javascript:alert(1)"}, "valid URL"),
        ({"timezone": "Mars/Olympus"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_explained_and_nothing_saved(
    member_client: Client,
    project_factory: Callable[..., Project],
    changes: dict[str, str],
    message: str,
) -> None:
    project = project_factory()
    page = save(member_client, project, **changes)
    assert message in page
    project.refresh_from_db()
    assert project.schedule is None and project.digest_emails == ""


def test_digest_settings_are_saved(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    save(
        member_client,
        project,
        digest_emails="lead@example.com; dev@example.com",
        digest_webhook_url="https://hooks.example.com/services/T/B/X",
        backfill_weeks="4",
    )
    project.refresh_from_db()
    assert project.digest_emails == "lead@example.com, dev@example.com"
    assert project.digest_webhook_url == "https://hooks.example.com/services/T/B/X"
    assert project.backfill_weeks == 4


def test_the_backfill_button_queues_a_backfill(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    response = member_client.post(
        reverse("dashboard:project_backfill", args=[project.slug]), follow=True
    )
    assert "Backfill of the last 12 weeks is queued" in response.content.decode()


def test_the_backfill_command(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = make_repo("r")
    for weeks_ago in (3, 2, 0):
        stamp = (datetime.now(UTC) - timedelta(weeks=weeks_ago, minutes=5)).isoformat()
        monkeypatch.setenv("GIT_COMMITTER_DATE", stamp)
        monkeypatch.setenv("GIT_AUTHOR_DATE", stamp)
        repo.commit({f"m{weeks_ago}.py": "import time\n\nasync def f():\n    time.sleep(1)\n"})
    project = project_factory(repo_url=str(repo.path))
    call_command("backfill", project.slug, "--weeks", "5")
    out = capsys.readouterr().out
    assert "3 week(s) backfilled" in out
    assert "1 critical" in out and "2 critical" in out
    with pytest.raises(CommandError, match="No project"):
        call_command("backfill", "nope")
    with pytest.raises(CommandError, match="between 1 and 520"):
        call_command("backfill", project.slug, "--weeks", "0")
