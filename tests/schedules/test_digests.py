"""Digests reach the team by email (locmem backend) and a Slack-style webhook."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core import mail

from reviewer import digests
from reviewer.models import Project, Scan
from reviewer.scanning import request_scan
from reviewer.tasks import scan_project
from tests.conftest import GitRepo

pytestmark = pytest.mark.django_db

SLEEPY = "import time\n\nasync def handler():\n    time.sleep(1)\n"


def scheduled_scan(project: Project) -> Scan:
    scan, _ = request_scan(project, Scan.Trigger.SCHEDULE)
    scan_project.apply(args=(scan.pk,))
    scan.refresh_from_db()
    return scan


def test_a_scheduled_scan_with_new_critical_findings_sends_a_digest(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    webhook: tuple[str, list[dict[str, object]]],
    settings: object,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    url, received = webhook
    repo = make_repo("r")
    repo.commit({"clean.py": "x = 1\n"})
    project = project_factory(
        repo_url=str(repo.path),
        digest_emails="lead@example.com, dev@example.com",
        digest_webhook_url=url,
    )
    assert scheduled_scan(project).status == Scan.Status.SUCCEEDED
    assert mail.outbox == [] and received == []  # nothing critical: no digest

    repo.commit({"app/handlers.py": SLEEPY})
    scan = scheduled_scan(project)
    assert scan.status == Scan.Status.SUCCEEDED
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lead@example.com", "dev@example.com"]
    assert project.name in message.subject and f"#{scan.pk}" in message.subject
    assert "AS001 app/handlers.py:4" in message.body and "[Critical]" in message.body
    assert "New: 1" in message.body
    assert len(received) == 1 and received[0]["text"] == message.body


def test_a_manual_scan_sends_no_digest(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    settings: object,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    repo = make_repo("r")
    repo.commit({"app.py": SLEEPY})
    project = project_factory(repo_url=str(repo.path), digest_emails="lead@example.com")
    scan, _ = request_scan(project, Scan.Trigger.MANUAL)
    scan_project.apply(args=(scan.pk,))
    assert mail.outbox == []


def test_the_weekly_digest_counts_new_fixed_and_debt(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    webhook: tuple[str, list[dict[str, object]]],
    settings: object,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    url, received = webhook
    repo = make_repo("r")
    repo.commit({"a.py": SLEEPY, "b.py": SLEEPY.replace("handler", "other")})
    project = project_factory(repo_url=str(repo.path), digest_webhook_url=url)
    scheduled_scan(project)
    # The first scan is the baseline: its two findings are not new.
    repo.commit({"b.py": "x = 1\n", "c.py": SLEEPY.replace("handler", "third")})
    scheduled_scan(project)
    assert digests.send_weekly_digests() == 1
    text = str(received[-1]["text"])
    assert "weekly" in text.lower()
    assert "New: 1" in text and "Fixed: 1" in text
    assert "Open: 2 critical" in text
    assert mail.outbox == []  # no addresses configured


def test_a_dead_webhook_is_logged_without_its_secret_path(
    project_factory: Callable[..., Project], caplog: pytest.LogCaptureFixture
) -> None:
    project = project_factory(digest_webhook_url="http://127.0.0.1:9/services/T0/B0/SECRETPART")
    sent = digests.deliver(digests.weekly_digest(project))
    assert sent == {"webhook": False}
    assert "127.0.0.1" in caplog.text and "SECRETPART" not in caplog.text
