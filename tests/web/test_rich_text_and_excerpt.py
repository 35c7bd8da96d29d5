"""Markdown from untrusted text is rendered and sanitised; the code excerpt numbers and
highlights the right line even when it starts on blank lines."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from dashboard.code_view import _render
from dashboard.rich_text import markdown_html, markdown_inline
from dashboard.templatetags.paths import short_path
from reviewer.finding_filters import path_terms
from reviewer.models import Finding

HOSTILE = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "<img src=x onerror=alert(1)>",
    "![img](https://evil.example/x.png)",
    '<a href="javascript:alert(1)">raw</a>',
    "<iframe src=https://evil.example></iframe>",
    '<div style="background:url(x)">styled</div>',
    "`<b>code</b>`",
]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("render", [markdown_html, markdown_inline])
def test_hostile_markdown_is_inert(text: str, render: object) -> None:
    html = str(render(text))  # type: ignore[operator]
    parsed = _Tags()
    parsed.feed(html)
    for tag, attrs in parsed.tags:
        assert tag in {"p", "a", "code", "em", "strong", "br"}, (text, html)
        for name, value in attrs:
            assert name in {"href", "rel", "title"}, (text, html)
            if name == "href":
                assert (value or "").startswith(("https://", "http://", "mailto:")), html
    if text.startswith("<script"):
        assert "&lt;script&gt;" in html  # shown as text, not dropped silently


def test_markdown_renders_code_emphasis_lists_and_safe_links() -> None:
    html = str(
        markdown_html("Use `select()` and **not** `Query`.\n\n- one\n- two\n\n[d](https://x.y/)")
    )
    assert "<code>select()</code>" in html and "<strong>not</strong>" in html
    assert "<li>one</li>" in html
    assert re.search(r'<a href="https://x.y/" rel="noopener noreferrer nofollow">d</a>', html)
    inline = str(markdown_inline("Use `select()`\n\nsecond"))
    assert "<p>" not in inline and "<code>select()</code>" in inline


def test_the_excerpt_keeps_leading_blank_lines() -> None:
    finding = Finding(path="app/db.py")
    code = "\n\n# comment\nrows = session.query(User).all()\n"
    html = str(_render(code, 40, 43, finding))
    lines = html.splitlines()
    (marked,) = [line for line in lines if 'class="hll"' in line]
    assert '<span class="linenos">43</span>' in marked and "query" in marked
    assert '<span class="linenos">40</span>' in lines[0]


def test_path_filter_terms_and_short_paths() -> None:
    assert path_terms("app/ !tests/, lib/") == (["app/", "lib/"], ["tests/"])
    assert path_terms("!") == ([], [])
    long = "services/billing/alembic/versions/2024_11_03_add_invoice_line_items.py"
    assert short_path(long) == "…/2024_11_03_add_invoice_line_items.py"
    assert short_path("app/" + "m/" * 30 + "x.py") == "app/…/x.py"
    assert short_path("app/db.py") == "app/db.py"
    assert len(short_path("a/" + "x" * 80 + ".py")) == 44
