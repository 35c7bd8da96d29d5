"""Repository content and agent text are untrusted: in a real browser, an XSS payload in a
finding's title, message, snippet, path, explanation or suggested fix never runs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from reviewer.models import Finding, Project
from tests.browser import login, screenshot
from tests.factories import make_findings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOADS = [
    "<script>window.__xss = 'script'</script>",
    "<img src=x onerror=\"window.__xss = 'img'\">",
    '"><svg onload="window.__xss = \'svg\'">',
    "javascript:window.__xss='href'",
]


def test_payloads_in_findings_render_as_text_and_never_run(
    live_server: object,
    browser: object,
    member: User,
    project_factory: Callable[..., Project],
) -> None:
    project = project_factory(name="shop", repo_url="https://github.com/o/r.git")
    finding = make_findings(project, 1)[0]
    payload = " ".join(PAYLOADS)
    Finding.objects.filter(pk=finding.pk).update(
        title=payload[:300],
        message=payload,
        snippet=payload,
        path=f"app/{PAYLOADS[1]}.py",
        explanation=payload,
        suggested_fix=payload,
        category="<b>bold</b>",
    )
    base = live_server.url  # type: ignore[attr-defined]
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: object) -> None:
        dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", on_dialog)
    login(page, base)
    for url in (project.get_absolute_url(), finding.get_absolute_url()):
        page.goto(f"{base}{url}")
        expect(page.locator("body")).to_contain_text("<script>window.__xss")
        assert page.evaluate("typeof window.__xss") == "undefined", url
        assert page.locator("body script:not([src]):not([nonce])").count() == 0
        assert page.locator("img[src=x], svg[onload], b:text('bold')").count() == 0
    screenshot(page, "xss-finding")
    assert dialogs == []
    context.close()
