"""Project names and URL slugs.

A name is unique within its team (two teams may both have a "shop"). The slug is unique
across the site (it is the URL): the name's slug when free, else the name's slug with a
random suffix, so adding a project never fails because of another team's project.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.utils.text import slugify

from reviewer.models import Project

SLUG_LENGTH = 100
SUFFIX_BYTES = 3  # six hex digits


def _others(exclude_pk: int | None) -> QuerySet[Project]:
    projects = Project.objects.all()
    return projects if exclude_pk is None else projects.exclude(pk=exclude_pk)


def name_taken(name: str, team: Group | None, exclude_pk: int | None = None) -> bool:
    """Whether ``team`` (None: no team) already has a project of that name."""
    return _others(exclude_pk).filter(name=name, team=team).exists()


def free_slug(name: str, exclude_pk: int | None = None) -> str:
    """A slug for ``name`` that no other project uses ("" when the name has no letters
    or digits)."""
    base = slugify(name)[:SLUG_LENGTH]
    if not base:
        return ""
    others = _others(exclude_pk)
    slug = base
    while others.filter(slug=slug).exists():
        suffix = secrets.token_hex(SUFFIX_BYTES)
        slug = f"{base[: SLUG_LENGTH - len(suffix) - 1]}-{suffix}"
    return slug
