"""How long something took, in the units a person reads at a glance."""

from __future__ import annotations

from datetime import datetime

from django import template

register = template.Library()


@register.filter
def took(start: datetime | None, end: datetime | None) -> str:
    """``start|took:end``: "14 s", "3 min 5 s", "2 h 10 min"; empty when either is missing
    (Django's timesince says "0 minutes" for anything under a minute)."""
    if start is None or end is None:
        return ""
    seconds = max(0, round((end - start).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


@register.filter
def hours(minutes: int | None) -> str:
    """``debt_minutes|hours``: effort in hours with one decimal ("4.1 h"), the unit every
    debt figure on the site uses."""
    return f"{(minutes or 0) / 60:.1f} h"
