"""Push webhooks from GitHub, GitLab and Gitea/Forgejo: verify, read, decide.

``handle(project, headers, body)`` returns what the receiver answers. Order matters:
the signature is checked before anything in the body is believed, then replays are
refused, then the event decides (push or tag push of the project's branch -> scan now;
another branch -> ignored; any other event -> 204).

* GitHub: ``X-Hub-Signature-256: sha256=<HMAC-SHA256(secret, body)>``, ``X-GitHub-Event``,
  ``X-GitHub-Delivery``.
* GitLab: ``X-Gitlab-Token: <secret>`` (compared in constant time), ``X-Gitlab-Event``
  ("Push Hook", "Tag Push Hook"), ``X-Gitlab-Event-UUID``.
* Gitea / Forgejo: ``X-Gitea-Signature`` / ``X-Forgejo-Signature``: hex HMAC-SHA256 of the
  body; ``X-Gitea-Event`` / ``X-Forgejo-Event``, ``X-Gitea-Delivery``. Gitea also sends
  GitHub's headers, so it is recognised first.

The secret is HMAC(SECRET_KEY, "webhook:<project id>:<salt>"): the database keeps the
salt only, and rotating SECRET_KEY (or the salt) changes every secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from reviewer.models import Project, Scan, WebhookDelivery
from reviewer.scanning import request_scan
from reviewer.tasks import QueueUnavailableError, enqueue_scan

logger = logging.getLogger(__name__)
Outcome = WebhookDelivery.Outcome
MAX_REFUSALS_LISTED_PER_HOUR = 50


def secret_for(project: Project) -> str:
    if not project.webhook_salt:
        return ""
    message = f"webhook:{project.pk}:{project.webhook_salt}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def new_secret(project: Project) -> str:
    """Turn webhooks on (or rotate the secret); returns the secret to show once."""
    project.webhook_salt = secrets.token_hex(16)
    project.save(update_fields=["webhook_salt"])
    return secret_for(project)


@dataclass(frozen=True)
class Answer:
    status: int  # 202 queued, 200 handled/ignored, 204 unknown event, 403, 409
    outcome: str
    scan_id: int | None = None


@dataclass(frozen=True)
class Request:
    forge: str
    event: str
    delivery: str
    signed: bool


def _hmac_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _identify(headers: Mapping[str, str], body: bytes, secret: str) -> Request | None:
    """The forge, event and delivery id, with whether the request proves the secret."""
    for forge in ("Forgejo", "Gitea"):
        event = headers.get(f"X-{forge}-Event")
        if event is not None:
            given = headers.get(f"X-{forge}-Signature", "")
            ok = hmac.compare_digest(given.lower(), _hmac_hex(secret, body))
            delivery = headers.get(f"X-{forge}-Delivery", "")
            return Request("gitea", event, delivery, ok)
    event = headers.get("X-Gitlab-Event")
    if event is not None:
        ok = hmac.compare_digest(headers.get("X-Gitlab-Token", "").encode(), secret.encode())
        return Request("gitlab", event, headers.get("X-Gitlab-Event-UUID", ""), ok)
    event = headers.get("X-GitHub-Event")
    if event is not None:
        given = headers.get("X-Hub-Signature-256", "")
        ok = hmac.compare_digest(given, "sha256=" + _hmac_hex(secret, body))
        return Request("github", event, headers.get("X-GitHub-Delivery", ""), ok)
    return None


PUSH_EVENTS = {
    "github": {"push"},
    "gitlab": {"Push Hook", "Tag Push Hook"},
    "gitea": {"push"},
}


def _record(
    project: Project, request: Request | None, outcome: str, ref: str = "", scan: Scan | None = None
) -> None:
    WebhookDelivery.objects.create(
        project=project,
        forge=request.forge if request else "unknown",
        event=(request.event if request else "")[:60],
        delivery_id=(request.delivery if request else "")[:100],
        ref=ref[:300],
        outcome=outcome,
        scan=scan,
    )


def handle(project: Project, headers: Mapping[str, str], body: bytes) -> Answer:
    secret = secret_for(project)
    request = _identify(headers, body, secret) if secret else None
    if request is None or not request.signed:
        # Logged without the secret or the signature sent; the sender's address is the
        # receiver's to log.
        logger.warning(
            "webhook for project %s refused: %s",
            project.slug,
            "webhooks are off" if not secret else "bad or missing signature",
        )
        hour = timezone.now() - timedelta(hours=1)
        recent = WebhookDelivery.objects.filter(
            project=project, outcome=Outcome.BAD_SIGNATURE, received_at__gte=hour
        )
        if secret and recent.count() < MAX_REFUSALS_LISTED_PER_HOUR:  # a flood adds no rows
            _record(project, request, Outcome.BAD_SIGNATURE)
        return Answer(403, Outcome.BAD_SIGNATURE)

    window = timezone.now() - timedelta(seconds=settings.REVIEWDECK_WEBHOOK_REPLAY_SECONDS)
    delivery = request.delivery or hashlib.sha256(body).hexdigest()
    seen = WebhookDelivery.objects.filter(
        project=project, delivery_id=delivery[:100], received_at__gte=window
    ).exclude(outcome=Outcome.BAD_SIGNATURE)
    if seen.exists():
        _record(project, Request(request.forge, request.event, delivery, True), Outcome.REPLAY)
        return Answer(409, Outcome.REPLAY)
    request = Request(request.forge, request.event, delivery, True)

    if request.event not in PUSH_EVENTS[request.forge]:
        _record(project, request, Outcome.IGNORED)
        return Answer(204, Outcome.IGNORED)
    try:
        payload = json.loads(body)
    except ValueError:
        _record(project, request, Outcome.IGNORED)
        return Answer(204, Outcome.IGNORED)
    ref = str(payload.get("ref", "")) if isinstance(payload, dict) else ""
    if ref.startswith("refs/tags/"):
        wanted = True  # a release tag: scan the project's branch now
    else:
        branch = ref.removeprefix("refs/heads/")
        wanted = branch == (project.branch or _default_branch(payload))
        if payload.get("deleted") or str(payload.get("after", "")).strip("0") == "":
            wanted = False  # a deleted branch has nothing to scan
    if not wanted:
        _record(project, request, Outcome.OTHER_BRANCH, ref)
        return Answer(200, Outcome.OTHER_BRANCH)

    scan, created = request_scan(project, Scan.Trigger.PUSH)
    if not created:
        _record(project, request, Outcome.ACTIVE, ref, scan)
        return Answer(200, Outcome.ACTIVE, scan.pk)
    try:
        enqueue_scan(scan)
    except QueueUnavailableError:
        _record(project, request, Outcome.QUEUE_DOWN, ref, scan)
        return Answer(503, Outcome.QUEUE_DOWN, scan.pk)
    _record(project, request, Outcome.QUEUED, ref, scan)
    return Answer(202, Outcome.QUEUED, scan.pk)


def _default_branch(payload: dict[str, object]) -> str:
    for key in ("repository", "project"):  # GitHub/Gitea: repository; GitLab: project
        section = payload.get(key)
        if isinstance(section, dict) and section.get("default_branch"):
            return str(section["default_branch"])
    return ""
