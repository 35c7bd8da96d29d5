"""``{% load rich_text %}``: ``{{ text|markdown }}`` and ``{{ text|markdown_inline }}``
render untrusted Markdown as sanitised HTML (see dashboard/rich_text.py)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from dashboard import rich_text

register = template.Library()


@register.filter(name="markdown")
def markdown(text: object) -> SafeString:
    return rich_text.markdown_html("" if text is None else str(text))


@register.filter(name="markdown_inline")
def markdown_inline(text: object) -> SafeString:
    return rich_text.markdown_inline("" if text is None else str(text))
