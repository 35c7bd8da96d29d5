"""Login and password reset are throttled; weak passwords are refused."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from playwright.sync_api import expect

from tests.browser import screenshot

pytestmark = pytest.mark.django_db


def wrong_logins(client: Client, url: str, username: str, count: int) -> list[int]:
    return [
        client.post(url, {"username": username, "password": f"guess-{n}"}).status_code
        for n in range(count)
    ]


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_the_right_password_does_not_help_after_too_many_wrong_ones(
    url: str, settings: object
) -> None:
    User.objects.create_user("alice", password="correct horse battery", is_staff=True)
    client = Client()
    statuses = wrong_logins(client, url, "alice", settings.AXES_FAILURE_LIMIT)  # type: ignore[attr-defined]
    assert statuses[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)  # type: ignore[attr-defined]
    response = client.post(url, {"username": "alice", "password": "correct horse battery"})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another user from the same address is not locked out by alice's failures.
    User.objects.create_user("bob", password="another good phrase")
    response = client.post(
        "/accounts/login/", {"username": "bob", "password": "another good phrase"}
    )
    assert response.status_code == 302


def test_a_success_before_the_limit_resets_the_count(settings: object) -> None:
    User.objects.create_user("carol", password="carol's long phrase")
    client = Client()
    limit = settings.AXES_FAILURE_LIMIT  # type: ignore[attr-defined]
    wrong_logins(client, "/accounts/login/", "carol", limit - 1)
    assert (
        client.post(
            "/accounts/login/", {"username": "carol", "password": "carol's long phrase"}
        ).status_code
        == 302
    )
    client.logout()
    assert wrong_logins(Client(), "/accounts/login/", "carol", limit - 1) == [200] * (limit - 1)


def test_reset_mails_are_throttled_per_address(settings: object) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    User.objects.create_user("dave", email="dave@example.com", password="dave's long phrase")
    client = Client()
    for _ in range(10):
        response = client.post("/accounts/password_reset/", {"email": "dave@example.com"})
        assert response.status_code == 302  # the same answer every time
    assert len(mail.outbox) == settings.REVIEWDECK_RESET_MAILS_PER_HOUR  # type: ignore[attr-defined]


def test_reset_requests_are_throttled_per_client(settings: object) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    client = Client()
    statuses = [
        client.post("/accounts/password_reset/", {"email": f"u{n}@example.com"}).status_code
        for n in range(40)
    ]
    assert 302 in statuses and statuses[-1] == 429
    response = client.post("/accounts/password_reset/", {"email": "x@example.com"})
    assert "Too many password reset requests" in response.content.decode()


@pytest.mark.parametrize("password", ["password123", "12345678901234", "qwertyuiop"])
def test_common_and_numeric_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password, User(username="erin"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_login_page_says_why_it_refuses(
    live_server: object, browser: object, settings: object
) -> None:
    User.objects.create_user("frank", password="frank's long phrase")
    base = live_server.url  # type: ignore[attr-defined]
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    for n in range(settings.AXES_FAILURE_LIMIT):  # type: ignore[attr-defined]
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "frank")
        page.fill("#id_password", f"wrong-{n}")
        page.click("button[type=submit]")
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "frank")
    page.fill("#id_password", "frank's long phrase")
    page.click("button[type=submit]")
    expect(page.locator("#locked-out")).to_contain_text("Try again in 15 minutes")
    screenshot(page, "login-locked-out")
    assert page.url.endswith("/accounts/login/")
    context.close()
