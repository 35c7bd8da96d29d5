"""Markdown from untrusted sources (rule messages, Claude's explanations) as safe HTML.

markdown-it-py renders CommonMark with raw HTML turned off (a ``<script>`` in the text
comes out as text); nh3 then keeps only the tags and attributes below and only http(s)
and mailto links, so a ``javascript:`` link or an event handler cannot survive even if
the renderer let one through. Images are dropped: the page never fetches what a
repository or a model names.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

BLOCK_TAGS = {
    "p", "br", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "blockquote",
    "h3", "h4", "hr",
}  # fmt: skip
INLINE_TAGS = {"em", "strong", "code", "a", "br"}
URL_SCHEMES = {"http", "https", "mailto"}
MAX_CHARS = 20_000


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # "commonmark" without raw HTML; tables and strikethrough are not needed here.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def _clean(html: str, tags: set[str]) -> SafeString:
    cleaned = nh3.clean(
        html,
        tags=tags,
        attributes={"a": {"href", "title"}},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above


def markdown_html(text: str) -> SafeString:
    """Block Markdown (paragraphs, lists, code blocks) as sanitised HTML."""
    return _clean(_parser().render(str(text)[:MAX_CHARS]), BLOCK_TAGS)


def markdown_inline(text: str) -> SafeString:
    """One line of Markdown (code spans, emphasis, links) without a paragraph around it,
    for table cells."""
    text = str(text)[:MAX_CHARS]
    if len(text) <= MEMO_CHARS:
        return _inline_memo(text)
    return _inline(text)


#: A rule's message is the same text on each of its findings: a list page of 50 rows
#: renders a handful of texts, not 50 (~0.1 ms each through markdown-it and nh3).
MEMO_CHARS = 500


def _inline(text: str) -> SafeString:
    return _clean(_parser().renderInline(text), INLINE_TAGS)


_inline_memo = lru_cache(maxsize=2048)(_inline)
