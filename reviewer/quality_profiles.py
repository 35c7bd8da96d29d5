"""Quality profiles on the server: which profile a project's scan runs with, saving a new
version, and a stored version as the engine's :class:`~reviewer.engine.profile.Profile`.

A team has one default profile and a project may have its own (``use_own_profile``); with
neither, scans run the engine's built-in default profile. Every save adds a version (a
save that changes nothing adds none) and a scan records the version it used. What a
profile does to a scan is part of the scan's rule-set fingerprint, so a change counts as
a rule-set change: findings that appear only because of it are "from a new rule", and
findings it removes are closed as *excluded*, not fixed (``reviewer.scanning``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import AnonymousUser, Group, User
from django.db import transaction
from django.db.models import Max

from reviewer.engine.profile import DEFAULT_PROFILE, Profile
from reviewer.engine.project_config import (
    ProjectConfig,
    excluded,
    in_profile,
    load_config,
    matches,
)
from reviewer.engine.registry import get_rule
from reviewer.engine.ruff_codes import lookup
from reviewer.models import Project, QualityProfile, QualityProfileVersion

RULE_SET_EXTENDED = QualityProfileVersion.RuleSet.EXTENDED


@dataclass(frozen=True)
class InEffect:
    """The profile a project's next scan runs with."""

    version: QualityProfileVersion | None  # None: the built-in default profile
    profile: Profile
    problems: list[str]  # stored entries the engine no longer accepts (left out)

    @property
    def label(self) -> str:
        return describe(self.version)


def describe(version: QualityProfileVersion | None) -> str:
    if version is None:
        return "the built-in default profile"
    owner = version.profile
    if owner.project_id is not None:
        return f"this project's own profile, version {version.number}"
    return f"team {owner.team}'s default profile, version {version.number}"


def effective_version(project: Project) -> QualityProfileVersion | None:
    """The latest version of the project's own profile (when it uses one), else of its
    team's default; None when neither has been saved."""
    versions = QualityProfileVersion.objects.select_related("profile", "profile__team")
    if project.use_own_profile:
        found = versions.filter(profile__project=project).order_by("-number").first()
        if found is not None:
            return found
    if project.team_id is None:
        return None
    return versions.filter(profile__team_id=project.team_id).order_by("-number").first()


def stored_data(version: QualityProfileVersion) -> dict[str, object]:
    """A version's settings in the engine's ``Profile.to_dict`` shape."""
    return {
        "extended": version.rule_set == RULE_SET_EXTENDED,
        "disabled": version.disabled,
        "enabled": version.enabled,
        "severity": version.severity,
        "exclude": version.exclude,
        "tests_suggestions_only": version.tests_suggestions_only,
    }


def to_engine(version: QualityProfileVersion | None) -> tuple[Profile, list[str]]:
    """The engine profile of a stored version. Entries the engine does not accept (a rule
    that no longer exists, a broken value written in the admin) are left out and reported;
    the rest of the profile still applies."""
    if version is None:
        return DEFAULT_PROFILE, []
    return Profile.from_dict(stored_data(version))


def in_effect(project: Project) -> InEffect:
    version = effective_version(project)
    profile, problems = to_engine(version)
    return InEffect(version, profile, problems)


def fingerprint(profile: Profile) -> str:
    """A hash of what the profile does (not of its version number: re-saving the same
    settings is not a rule-set change)."""
    text = json.dumps(profile.to_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def same_settings(version: QualityProfileVersion | None, profile: Profile) -> bool:
    if version is None:
        return False
    return to_engine(version)[0].to_dict() == profile.to_dict()


def profile_of_team(team: Group) -> QualityProfile:
    found, _ = QualityProfile.objects.get_or_create(team=team)
    return found


def profile_of_project(project: Project) -> QualityProfile:
    found, _ = QualityProfile.objects.get_or_create(project=project)
    return found


def save_version(
    owner: QualityProfile,
    profile: Profile,
    *,
    user: User | AnonymousUser | None = None,
    comment: str = "",
) -> QualityProfileVersion | None:
    """Add a version with ``profile``'s settings; None when they equal the latest one's."""
    with transaction.atomic():
        # One writer per profile, so two saves never take the same number.
        QualityProfile.objects.select_for_update().get(pk=owner.pk)
        latest = owner.versions.order_by("-number").first()
        if same_settings(latest, profile):
            return None
        number = (owner.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        return QualityProfileVersion.objects.create(
            profile=owner,
            number=number,
            created_by=user if isinstance(user, User) else None,
            **version_fields(profile),
            comment=comment[:300],
        )


def version_fields(profile: Profile) -> dict[str, object]:
    return {
        "rule_set": RULE_SET_EXTENDED
        if profile.extended
        else QualityProfileVersion.RuleSet.DEFAULT,
        "disabled": list(profile.disabled),
        "enabled": list(profile.enabled),
        # The engine upper-cases the keys; ruff codes keep their usual "ruff:" spelling.
        "severity": {_spelled(rule): sev for rule, sev in profile.severity.items()},
        "exclude": list(profile.exclude),
        "tests_suggestions_only": profile.tests_suggestions_only,
    }


def _spelled(rule_id: str) -> str:
    return "ruff:" + rule_id[5:] if rule_id.upper().startswith("RUFF:") else rule_id


def summary(version: QualityProfileVersion) -> str:
    """One line a reader understands: what the version changes from the default."""
    parts = ["extended rule set" if version.rule_set == RULE_SET_EXTENDED else "default rule set"]
    if version.disabled:
        parts.append("off: " + ", ".join(version.disabled))
    if version.enabled:
        parts.append("on: " + ", ".join(version.enabled))
    if version.severity:
        parts.append(
            "severity: " + ", ".join(f"{rule} {sev}" for rule, sev in version.severity.items())
        )
    if version.exclude:
        parts.append("excluded: " + ", ".join(version.exclude))
    if version.tests_suggestions_only:
        parts.append("tests: suggestions only")
    return "; ".join(parts)


def split_entries(text: str) -> list[str]:
    """Rule ids or globs typed one per line (commas also separate rule ids)."""
    return [part.strip() for line in text.splitlines() for part in line.split(",") if part.strip()]


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


_SEVERITY_LINE = re.compile(r"\s*(\S+?)\s*(?:=|:\s|\s)\s*(\S+)\s*")


def parse_severity_line(line: str) -> tuple[str, str] | None:
    """``SA011 = important`` (also ``SA011: important``, ``ruff:S106 suggestion``, a
    quoted value) as (rule, severity); None when the line has another shape."""
    match = _SEVERITY_LINE.fullmatch(line)
    if match is None:
        return None
    return match.group(1), match.group(2).strip("\"'").lower()


def format_entries(values: Iterable[str]) -> str:
    return "\n".join(values)


def format_severity(values: dict[str, str]) -> str:
    return "\n".join(f"{rule} = {severity}" for rule, severity in values.items())


def reported(rule_id: str, path: str, profile: Profile, config: ProjectConfig) -> bool:
    """Whether a rule's finding at ``path`` can still be reported under ``profile`` with
    the repository's ``[tool.reviewdeck]`` on top: the path is reviewed and the rule runs.
    A finding that disappears while this is False left the profile: it is *excluded*, not
    fixed. Ids the engine does not know (Claude findings) depend on the paths only."""
    if excluded(path, config) or (profile.exclude and matches(path, profile.exclude)):
        return False
    rule = rule_id.upper()
    if any(rule.startswith(d.upper()) for d in config.disable):
        return False
    if rule_id.startswith("ruff:"):
        code = lookup(rule_id.removeprefix("ruff:"))
        return code is None or in_profile(rule_id, code.profile, profile)
    native = get_rule(rule_id)
    return native is None or in_profile(rule_id, native.profile, profile)


def reviewed_paths(root: Path, profile: Profile, paths: Iterable[str]) -> list[str]:
    """The ``paths`` a review of the checkout at ``root`` reads under ``profile`` and the
    repository's ``[tool.reviewdeck]`` (what Claude agents are given, like the rules)."""
    config, _ = load_config(root)
    return [
        p
        for p in paths
        if not excluded(p, config) and not (profile.exclude and matches(p, profile.exclude))
    ]
