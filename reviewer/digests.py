"""Digests: what a scan or a week changed, sent by email and/or a Slack-style webhook.

Sent after a scheduled scan that found new Critical findings, and weekly (beat, Monday
morning) before the team's review meeting. Findings that exist only because a rule is new
and backfilled history never count as new.
"""

from __future__ import annotations

import http.client
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from reviewer import outbound, outbound_http
from reviewer.models import Finding, Project, Scan, ScanSummary, Severity

logger = logging.getLogger(__name__)
WEBHOOK_TIMEOUT = 10
LISTED = 20  # findings listed by name in a digest; the rest are counted


@dataclass
class Digest:
    project: Project
    title: str
    new: list[Finding] = field(default_factory=list)
    new_total: int = 0
    fixed_total: int = 0
    reopened_total: int = 0
    debt_change_minutes: int = 0
    open_critical: int = 0
    open_important: int = 0

    @property
    def text(self) -> str:
        lines = [
            self.title,
            f"New: {self.new_total}  Fixed: {self.fixed_total}  Reopened: {self.reopened_total}",
            f"Open: {self.open_critical} critical, {self.open_important} important",
            f"Debt: {self.debt_change_minutes / 60:+.1f} h",
        ]
        if self.new:
            lines.append("")
            lines.append("New critical and important findings:")
            lines += [
                f"- [{Severity(f.severity).label}] {f.rule_id} {f.path}:{f.line} {f.title}"
                for f in self.new
            ]
            if self.new_total > len(self.new):
                lines.append(f"... and {self.new_total - len(self.new)} more")
        return "\n".join(lines)


def _new_findings(project: Project, scans: list[Scan]) -> tuple[list[Finding], int]:
    qs = (
        Finding.objects.new_problems()
        .filter(project=project, first_seen_scan__in=scans)
        .filter(severity__in=[Severity.CRITICAL, Severity.IMPORTANT])
        .order_by("severity", "path", "line")
    )
    return list(qs[:LISTED]), qs.count()


def scan_digest(scan: Scan) -> Digest:
    project = scan.project
    summary = ScanSummary.objects.filter(scan=scan).first()
    before = (
        ScanSummary.objects.filter(project=project, created_at__lt=summary.created_at)
        .order_by("-created_at")
        .first()
        if summary
        else None
    )
    new, new_total = _new_findings(project, [scan])
    return Digest(
        project=project,
        title=f"Reviewdeck: {project.name}, scan #{scan.pk} ({scan.commit_sha[:10]})",
        new=new,
        new_total=new_total,
        fixed_total=summary.fixed_count if summary else 0,
        reopened_total=summary.reopened_count if summary else 0,
        debt_change_minutes=(summary.debt_minutes - before.debt_minutes)
        if summary and before
        else 0,
        open_critical=summary.open_critical if summary else 0,
        open_important=summary.open_important if summary else 0,
    )


def weekly_digest(project: Project, now: datetime | None = None) -> Digest:
    now = now or timezone.now()
    since = now - timedelta(days=7)
    scans = list(
        Scan.objects.filter(project=project, finished_at__gte=since, finished_at__lte=now)
        .exclude(trigger=Scan.Trigger.BACKFILL)
        .only("pk")
    )
    new, new_total = _new_findings(project, scans)
    summaries = ScanSummary.objects.filter(project=project).order_by("-created_at")
    latest = summaries.filter(created_at__lte=now).first()
    week_ago = summaries.filter(created_at__lt=since).first()
    return Digest(
        project=project,
        title=f"Reviewdeck weekly: {project.name}, week to {now:%Y-%m-%d}",
        new=new,
        new_total=new_total,
        fixed_total=Finding.objects.filter(project=project, fixed_in_scan__in=scans).count(),
        reopened_total=sum(
            s.reopened_count for s in summaries.filter(created_at__gte=since, scan__in=scans)
        ),
        debt_change_minutes=(latest.debt_minutes - week_ago.debt_minutes)
        if latest and week_ago
        else 0,
        open_critical=latest.open_critical if latest else 0,
        open_important=latest.open_important if latest else 0,
    )


def recipients(project: Project) -> list[str]:
    return [a.strip() for a in project.digest_emails.replace(";", ",").split(",") if a.strip()]


def deliver(digest: Digest) -> dict[str, bool]:
    """Send by email and webhook, as configured; a failing channel is logged, never raised."""
    project = digest.project
    sent: dict[str, bool] = {}
    to = recipients(project)
    if to:
        try:
            send_mail(digest.title, digest.text, settings.DEFAULT_FROM_EMAIL, to)
            sent["email"] = True
        except Exception as exc:  # SMTP errors come in many types
            logger.warning("digest email for %s failed: %s", project.slug, type(exc).__name__)
            sent["email"] = False
    if project.digest_webhook_url:
        sent["webhook"] = post_webhook(project.digest_webhook_url, {"text": digest.text})
    return sent


def post_webhook(url: str, payload: dict[str, object]) -> bool:
    """POST ``payload`` as JSON to an http(s) URL whose host the outbound policy allows.
    Redirects are not followed (a webhook that moved answers 3xx and is logged)."""
    parts = urlsplit(url)
    host = parts.hostname or "?"  # the path of a Slack webhook is its secret
    try:
        status = outbound_http.post_json(url, payload, timeout=WEBHOOK_TIMEOUT)
    except outbound.OutboundRefusedError as exc:
        logger.warning("digest webhook to %s refused: %s", host, exc.reason)
        return False
    except (OSError, ValueError, http.client.HTTPException) as exc:
        logger.warning("digest webhook to %s failed: %s", host, type(exc).__name__)
        return False
    ok = 200 <= status < 300
    if not ok:
        logger.warning("digest webhook to %s answered %s", host, status)
    return ok


def after_scheduled_scan(scan: Scan) -> bool:
    """Send the scan's digest if it found new Critical findings. Returns whether sent."""
    if scan.trigger != Scan.Trigger.SCHEDULE or scan.status != Scan.Status.SUCCEEDED:
        return False
    project = scan.project
    if not (recipients(project) or project.digest_webhook_url):
        return False
    critical = (
        Finding.objects.new_problems()
        .filter(project=project, first_seen_scan=scan, severity=Severity.CRITICAL)
        .only("pk")
        .exists()
    )
    if not critical:
        return False
    return any(deliver(scan_digest(scan)).values())


def send_weekly_digests(now: datetime | None = None) -> int:
    count = 0
    projects = Project.objects.exclude(digest_emails="", digest_webhook_url="")
    for project in projects:
        if any(deliver(weekly_digest(project, now)).values()):
            count += 1
    return count
