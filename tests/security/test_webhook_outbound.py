"""Digest webhooks reach only public addresses, unless the operator allows a host."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from reviewer import digests, outbound, outbound_http
from reviewer.models import Project
from tests.security.conftest import Listener, ipv6_loopback

pytestmark = pytest.mark.django_db

NO_EXCEPTIONS = outbound.Policy()


@pytest.fixture
def strict(settings: object) -> None:
    """The production default: no internal host is allowed."""
    settings.REVIEWDECK_ALLOWED_PRIVATE_HOSTS = []  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "spelling",
    ["127.0.0.1", "localhost", "2130706433", "0x7f000001", "127.1", "0177.0.0.1", "127.0.0.2"],
)
def test_the_digest_is_not_posted_to_loopback_in_any_spelling(
    spelling: str,
    strict: None,
    listener: Callable[..., Listener],
    project_factory: Callable[..., Project],
    caplog: pytest.LogCaptureFixture,
) -> None:
    target = listener("127.0.0.1")
    url = f"http://{spelling}:{target.port}/services/T0/B0/SECRETPART"
    project = project_factory(digest_webhook_url=url)
    with caplog.at_level(logging.WARNING):
        sent = digests.deliver(digests.weekly_digest(project))
    assert sent == {"webhook": False}
    assert target.requests == []
    assert "refused" in caplog.text and "SECRETPART" not in caplog.text


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_the_digest_is_not_posted_to_ipv6_loopback(
    strict: None, listener: Callable[..., Listener], project_factory: Callable[..., Project]
) -> None:
    target = listener("::1")
    for host in ("[::1]", "[::ffff:127.0.0.1]"):
        project_factory(name=f"p{len(host)}", digest_webhook_url=f"http://{host}:{target.port}/")
    for project in Project.objects.all():
        digests.deliver(digests.weekly_digest(project))
    assert target.requests == []


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",  # cloud metadata
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "fd00::1",  # unique local
        "fe80::1",
        "::",
        "::ffff:169.254.169.254",
    ],
)
def test_internal_addresses_are_refused_before_any_connection(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(outbound.OutboundRefusedError):
        outbound_http.post_json(f"http://{host}/latest/", {}, timeout=1, policy=NO_EXCEPTIONS)


def test_a_public_address_passes_the_check() -> None:
    outbound.check_address("example.com", outbound.literal_address("93.184.216.34"), NO_EXCEPTIONS)  # type: ignore[arg-type]


def test_only_http_and_https_are_spoken(listener: Callable[..., Listener]) -> None:
    target = listener("127.0.0.1")
    allowed = outbound.Policy.parse(["127.0.0.0/8"])
    for scheme in ("ftp", "file", "gopher"):
        with pytest.raises(outbound.OutboundRefusedError):
            outbound_http.post_json(
                f"{scheme}://127.0.0.1:{target.port}/x", {}, timeout=2, policy=allowed
            )
    assert target.requests == []


def test_an_allowed_network_or_host_name_is_reached(
    settings: object, listener: Callable[..., Listener], project_factory: Callable[..., Project]
) -> None:
    target = listener("127.0.0.1")
    settings.REVIEWDECK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.0/8"]  # type: ignore[attr-defined]
    project = project_factory(digest_webhook_url=f"http://127.0.0.1:{target.port}/hook")
    assert digests.deliver(digests.weekly_digest(project)) == {"webhook": True}
    settings.REVIEWDECK_ALLOWED_PRIVATE_HOSTS = ["localhost"]  # type: ignore[attr-defined]
    project.digest_webhook_url = f"http://localhost:{target.port}/by-name"
    assert digests.deliver(digests.weekly_digest(project)) == {"webhook": True}
    assert [(method, path) for method, path, _ in target.requests] == [
        ("POST", "/hook"),
        ("POST", "/by-name"),
    ]
    assert b"Reviewdeck weekly" in target.requests[0][2]


def test_a_redirect_is_not_followed(
    settings: object, listener: Callable[..., Listener], project_factory: Callable[..., Project]
) -> None:
    """The allowed hook answers 302 to an internal address; the server goes no further."""
    inner = listener("127.0.0.1")
    settings.REVIEWDECK_ALLOWED_PRIVATE_HOSTS = ["hooks.localhost"]  # type: ignore[attr-defined]
    outer = listener("127.0.0.1", redirect_to=f"http://127.0.0.1:{inner.port}/admin")
    settings.REVIEWDECK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1/32"]  # type: ignore[attr-defined]
    project = project_factory(digest_webhook_url=f"http://127.0.0.1:{outer.port}/hook")
    assert digests.deliver(digests.weekly_digest(project)) == {"webhook": False}
    assert len(outer.requests) == 1
    assert inner.requests == []


def test_the_connection_is_checked_where_it_lands() -> None:
    """A name allowed by the policy but resolving to a refused address: the address is
    refused unless the name itself (or the network) is allowed."""
    allowed_name = outbound.Policy.parse(["localhost"])
    outbound.check_address("localhost", outbound.literal_address("127.0.0.1"), allowed_name)  # type: ignore[arg-type]
    with pytest.raises(outbound.OutboundRefusedError):
        outbound.check_address("evil.example", outbound.literal_address("127.0.0.1"), allowed_name)  # type: ignore[arg-type]


def test_the_allow_list_accepts_names_subdomains_and_networks() -> None:
    policy = outbound.Policy.parse(["gitlab.internal", ".corp.example", "10.0.0.0/8", "fd00::/8"])
    assert policy.allows_name("GitLab.Internal.")
    assert policy.allows_name("git.corp.example") and not policy.allows_name("corp.example.org")
    assert policy.allows_address(outbound.literal_address("10.9.8.7"))  # type: ignore[arg-type]
    assert policy.allows_address(outbound.literal_address("fd00::5"))  # type: ignore[arg-type]
    assert not policy.allows_address(outbound.literal_address("192.168.0.1"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="neither a host name"):
        outbound.Policy.parse(["http://x/"])


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("ftp://example.com/hook", "http:// or https://"),
        ("http://127.0.0.1:8000/", "internal network"),
        ("http://2130706433/", "valid URL"),  # Django's URL validator stops it first
        ("http://localhost:9000/", "internal network"),
        ("http://169.254.169.254/latest/meta-data/", "internal network"),
        ("https://[::1]:443/", "internal network"),
    ],
)
def test_the_settings_page_refuses_internal_and_non_http_webhooks(
    url: str, error: str, strict: None, member: User, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    client = Client()
    client.force_login(member)
    response = client.post(
        f"/projects/{project.slug}/settings/",
        {
            "schedule": "off",
            "timezone": "UTC",
            "backfill_weeks": "12",
            "digest_emails": "",
            "digest_webhook_url": url,
        },
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    project.refresh_from_db()
    assert project.digest_webhook_url == ""
