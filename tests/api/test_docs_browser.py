"""The interactive API docs in real Chromium: Swagger UI from our own static files renders
every operation under the strict CSP, and nothing is fetched from another host."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User

from tests.browser import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_from_our_static_files_only(
    live_server: Any, browser: Any, member: User
) -> None:
    base = live_server.url
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    hosts: set[str] = set()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    login(page, base)
    page.goto(f"{base}/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/projects/{slug}/findings" in p for p in paths), paths
    assert any("/api/v1/projects/{slug}/gate" in p for p in paths), paths
    screenshot(page, "api-docs")
    assert hosts == {urlsplit(base).netloc}, hosts
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()
