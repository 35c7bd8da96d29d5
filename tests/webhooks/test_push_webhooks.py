"""Push webhooks over real HTTP with signed payloads in each forge's format (fixtures
written from the forges' public documentation)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from reviewer import webhooks
from reviewer.models import Project, Scan, WebhookDelivery
from tests.api.conftest import Http

pytestmark = pytest.mark.django_db(transaction=True)
FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str, **changes: object) -> bytes:
    data = json.loads((FIXTURES / name).read_text())
    data.update(changes)
    return json.dumps(data).encode()


def github(body: bytes, secret: str, event: str = "push", delivery: str = "") -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or hashlib.md5(body).hexdigest(),
        "X-Hub-Signature-256": f"sha256={digest}",
    }


def gitlab(
    body: bytes, secret: str, event: str = "Push Hook", delivery: str = ""
) -> dict[str, str]:
    return {
        "X-Gitlab-Event": event,
        "X-Gitlab-Token": secret,
        "X-Gitlab-Event-UUID": delivery or hashlib.sha1(body).hexdigest(),
    }


def gitea(
    body: bytes, secret: str, event: str = "push", delivery: str = "", forge: str = "Gitea"
) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {
        # Gitea sends GitHub's and Gogs' headers too; it must still be read as Gitea.
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or "g-" + digest[:16],
        f"X-{forge}-Event": event,
        f"X-{forge}-Delivery": delivery or "g-" + digest[:16],
        f"X-{forge}-Signature": digest,
    }
    return headers


def post(http: Http, slug: str, body: bytes, headers: dict[str, str]) -> Any:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"{http.base}/hooks/{slug}/",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def shop(project_factory: Callable[..., Project]) -> tuple[Project, str]:
    project = project_factory(name="shop", branch="main")
    return project, webhooks.new_secret(project)


def _finish_scans() -> None:
    Scan.objects.filter(status=Scan.Status.QUEUED).update(status=Scan.Status.SUCCEEDED)


@pytest.mark.parametrize(
    ("sign", "name"),
    [(github, "github_push.json"), (gitlab, "gitlab_push.json"), (gitea, "gitea_push.json")],
    ids=["github", "gitlab", "gitea"],
)
def test_a_signed_push_to_the_branch_queues_a_scan_at_once(
    http: Http, shop: tuple[Project, str], sign: Callable[..., dict[str, str]], name: str
) -> None:
    project, secret = shop
    body = fixture(name)
    status, reply = post(http, "shop", body, sign(body, secret))
    assert status == 202, reply
    scan = Scan.objects.get(project=project)
    assert scan.trigger == Scan.Trigger.PUSH and scan.status == Scan.Status.QUEUED
    assert json.loads(reply) == {"outcome": "queued", "scan": scan.pk}
    delivery = WebhookDelivery.objects.get(project=project)
    assert delivery.outcome == "queued" and delivery.ref == "refs/heads/main"
    assert delivery.forge == name.split("_")[0]

    # The same delivery again: a replay, refused; nothing queued.
    _finish_scans()
    status, _ = post(http, "shop", body, sign(body, secret))
    assert status == 409
    assert Scan.objects.filter(project=project).count() == 1

    # Another branch: ignored.
    other = fixture(name, ref="refs/heads/feature/x", after="1" * 40)
    status, reply = post(http, "shop", other, sign(other, secret, delivery="other-1"))
    assert status == 200 and json.loads(reply)["outcome"] == "other_branch"
    assert Scan.objects.filter(project=project).count() == 1


def test_forgejo_and_tag_pushes(http: Http, shop: tuple[Project, str]) -> None:
    project, secret = shop
    body = fixture("gitea_push.json")
    status, _ = post(http, "shop", body, gitea(body, secret, forge="Forgejo"))
    assert status == 202
    _finish_scans()
    tag = fixture("gitlab_tag_push.json")
    status, _ = post(http, "shop", tag, gitlab(tag, secret, event="Tag Push Hook"))
    assert status == 202  # a release tag: the branch is scanned now
    assert Scan.objects.filter(project=project, trigger=Scan.Trigger.PUSH).count() == 2


@pytest.mark.parametrize(
    ("sign", "event"),
    [(github, "ping"), (github, "issues"), (gitlab, "Issue Hook"), (gitea, "issues")],
)
def test_other_events_are_answered_204(
    http: Http, shop: tuple[Project, str], sign: Callable[..., dict[str, str]], event: str
) -> None:
    _project, secret = shop
    body = json.dumps({"zen": "Keep it logically awesome.", "hook_id": 1}).encode()
    status, reply = post(http, "shop", body, sign(body, secret, event=event))
    assert (status, reply) == (204, b"")
    assert not Scan.objects.exists()


def test_bad_signatures_are_refused_and_logged_without_the_secret(
    http: Http, shop: tuple[Project, str], caplog: pytest.LogCaptureFixture
) -> None:
    project, secret = shop
    body = fixture("github_push.json")
    caplog.set_level(logging.WARNING, logger="reviewer.webhooks")
    forged = [
        github(body, "not-the-secret"),
        gitlab(body, "not-the-secret"),
        gitea(body, "not-the-secret"),
        {**github(body, secret), "X-Hub-Signature-256": "sha256=" + "0" * 64},
        {"X-GitHub-Event": "push"},  # unsigned
        {},  # no forge at all
    ]
    for headers in forged:
        status, _ = post(http, "shop", body, headers)
        assert status == 403, headers
    # A signature made for another body does not carry over.
    tampered = fixture("github_push.json", ref="refs/heads/main", after="2" * 40)
    status, _ = post(http, "shop", tampered, github(body, secret))
    assert status == 403
    assert not Scan.objects.exists()
    assert "bad or missing signature" in caplog.text
    assert secret not in caplog.text and "not-the-secret" not in caplog.text
    # Unknown projects and projects without a webhook answer the same.
    assert post(http, "nothing", body, github(body, secret))[0] == 403
    project.webhook_salt = ""
    project.save()
    assert post(http, "shop", body, github(body, secret))[0] == 403


def test_the_settings_page_shows_the_secret_once_and_the_deliveries(
    http: Http,
    member_client: Client,
    outsider_client: Client,
    project_factory: Callable[..., Project],
) -> None:
    project_factory(name="shop", branch="main")
    page = member_client.get("/projects/shop/webhook/").content.decode()
    assert "/hooks/shop/" in page and "Turn on" in page
    page = member_client.post("/projects/shop/webhook/", {"webhook": "on"}).content.decode()
    secret = page.split('id="webhook-secret">', 1)[1].split("<", 1)[0]
    assert len(secret) == 64
    assert secret not in member_client.get("/projects/shop/webhook/").content.decode()

    body = fixture("github_push.json")
    assert post(http, "shop", body, github(body, secret))[0] == 202
    page = member_client.get("/projects/shop/webhook/").content.decode()
    assert "Scan queued" in page and "refs/heads/main" in page and "github" in page

    rotated = member_client.post("/projects/shop/webhook/", {"webhook": "rotate"}).content.decode()
    assert secret not in rotated
    again = fixture("github_push.json", after="3" * 40)
    assert post(http, "shop", again, github(again, secret))[0] == 403  # the old secret
    assert outsider_client.get("/projects/shop/webhook/").status_code == 404
