"""``{% load paths %}``: ``short_path`` keeps a long path readable in a narrow column
(first folder, an ellipsis, the file name; the full path goes in the title), and
``thousands`` prints 2009 as "2,009"."""

from __future__ import annotations

from django import template

register = template.Library()

SHORT_PATH = 44  # characters shown at most


@register.filter
def short_path(path: object, limit: int = SHORT_PATH) -> str:
    text = str(path)
    if len(text) <= limit:
        return text
    head, _, name = text.rpartition("/")
    first = head.split("/", 1)[0]
    if len(first) + len(name) + 3 <= limit:
        return f"{first}/…/{name}"
    if len(name) + 2 <= limit:
        return f"…/{name}"
    return "…" + name[-(limit - 1) :]


@register.filter
def thousands(value: object) -> str:
    try:
        return f"{int(str(value)):,}"
    except (TypeError, ValueError):
        return str(value)
