"""Quality profiles: which rules a review runs and how their findings are reported.

A :class:`Profile` is plain data (the server stores one per team and per project; the
engine only applies it)::

    Profile(
        extended=False,                       # also run the rules outside the default profile
        disabled=("PF003", "ruff:T201"),      # rule ids or id prefixes switched off
        enabled=("AS002",),                   # rules switched on although outside the default
        severity={"SA011": "important"},      # per-rule severity overrides
        exclude=("tests/**", "**/versions/sqlite/**"),  # path globs never reviewed
        tests_suggestions_only=False,         # every finding in test code is a Suggestion
    )

``review(..., profile=...)`` applies it; ``[tool.reviewdeck]`` in the reviewed
repository applies on top. Bad input never raises: :func:`validate` (and
:meth:`Profile.from_dict` for stored JSON) return a clean profile plus one message per
entry left out, and the rest of the profile still applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from reviewer.engine.types import SeverityCode

SEVERITIES: tuple[SeverityCode, ...] = ("critical", "important", "suggestion")
RUFF_PREFIX = "ruff:"
DEFAULT = "default"
EXTENDED = "extended"


def _frozen(mapping: Mapping[str, SeverityCode]) -> Mapping[str, SeverityCode]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, slots=True)
class Profile:
    extended: bool = False
    disabled: tuple[str, ...] = ()
    enabled: tuple[str, ...] = ()
    severity: Mapping[str, SeverityCode] = field(default_factory=lambda: _frozen({}))
    exclude: tuple[str, ...] = ()
    tests_suggestions_only: bool = False

    def __post_init__(self) -> None:
        # Keys upper-cased like the ids they match; read-only so the profile stays frozen.
        object.__setattr__(self, "disabled", tuple(self.disabled))
        object.__setattr__(self, "enabled", tuple(self.enabled))
        object.__setattr__(self, "exclude", tuple(self.exclude))
        object.__setattr__(
            self, "severity", _frozen({k.upper(): v for k, v in dict(self.severity).items()})
        )

    def __hash__(self) -> int:
        return hash(
            (
                self.extended,
                self.disabled,
                self.enabled,
                tuple(sorted(self.severity.items())),
                self.exclude,
                self.tests_suggestions_only,
            )
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data; :meth:`from_dict` reads it back."""
        return {
            "extended": self.extended,
            "disabled": list(self.disabled),
            "enabled": list(self.enabled),
            "severity": dict(self.severity),
            "exclude": list(self.exclude),
            "tests_suggestions_only": self.tests_suggestions_only,
        }

    @classmethod
    def from_dict(cls, data: object) -> tuple[Profile, list[str]]:
        """A validated profile from stored data (unknown keys and bad values are reported
        and left out, never raised)."""
        errors: list[str] = []
        if data is None:
            return cls(), errors
        if not isinstance(data, Mapping):
            return cls(), ["a profile must be a mapping of settings"]
        known = {
            "extended",
            "disabled",
            "enabled",
            "severity",
            "exclude",
            "tests_suggestions_only",
        }
        for key in data:
            if key not in known:
                errors.append(f"unknown profile setting {key!r}")

        def flag(key: str) -> bool:
            value = data.get(key, False)
            if not isinstance(value, bool):
                errors.append(f"{key} must be true or false, not {value!r}")
                return False
            return value

        def strings(key: str) -> tuple[str, ...]:
            value = data.get(key, [])
            if isinstance(value, str) or not isinstance(value, list | tuple):
                errors.append(f"{key} must be a list of strings")
                return ()
            kept = []
            for item in value:
                if isinstance(item, str):
                    kept.append(item)
                else:
                    errors.append(f"{key}: {item!r} is not a string")
            return tuple(kept)

        raw_severity = data.get("severity", {})
        severity: dict[str, Any] = {}
        if isinstance(raw_severity, Mapping):
            severity = {str(k): v for k, v in raw_severity.items()}
        else:
            errors.append("severity must be a mapping of rule id to severity")
        profile, problems = validate(
            extended=flag("extended"),
            disabled=strings("disabled"),
            enabled=strings("enabled"),
            severity=severity,
            exclude=strings("exclude"),
            tests_suggestions_only=flag("tests_suggestions_only"),
        )
        return profile, errors + problems


#: The default profile: rules of the default set, the policy's severities, no exclusions.
DEFAULT_PROFILE = Profile()
#: Every rule, including those whose measured precision keeps them out of the default.
EXTENDED_PROFILE = Profile(extended=True)


def known_rule(pattern: str) -> bool:
    """Whether ``pattern`` names a rule or a prefix of rule ids: a native id (``SA001``,
    ``SA``), or ``ruff:CODE`` / ``ruff:PREFIX`` for a code the engine maps."""
    from reviewer.engine.registry import load_rules
    from reviewer.engine.ruff_codes import RUFF_CODES, lookup

    text = pattern.strip().upper()
    if not text:
        return False
    if text.startswith(RUFF_PREFIX.upper()):
        code = text[len(RUFF_PREFIX) :]
        if not code:
            return True  # every ruff code
        return lookup(code) is not None or any(key.startswith(code) for key in RUFF_CODES)
    return any(r.id.startswith(text) for r in load_rules().all())


def known_rule_id(rule_id: str) -> bool:
    """Whether ``rule_id`` is one whole rule id (a severity override needs one)."""
    from reviewer.engine.registry import get_rule
    from reviewer.engine.ruff_codes import lookup

    text = rule_id.strip()
    if text.lower().startswith(RUFF_PREFIX):
        code = text[len(RUFF_PREFIX) :].upper()
        return bool(code) and code.isalnum() and lookup(code) is not None
    return get_rule(text) is not None


def glob_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a usable path glob (None when it is)."""
    if not pattern.strip():
        return "an empty pattern"
    if "\0" in pattern or any(ord(c) < 32 for c in pattern):
        return "a control character"
    if "\\" in pattern:
        return "a backslash (paths use /)"
    if pattern.startswith("/"):
        return "an absolute path (globs are relative to the repository root)"
    if ".." in pattern.split("/"):
        return "a '..' part"
    depth = 0
    for char in pattern:
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
    if depth:
        return "an unclosed '['"
    return None


def validate(
    *,
    extended: bool = False,
    disabled: Iterable[str] = (),
    enabled: Iterable[str] = (),
    severity: Mapping[str, object] | None = None,
    exclude: Iterable[str] = (),
    tests_suggestions_only: bool = False,
) -> tuple[Profile, list[str]]:
    """A profile of the valid entries, and one clear message per entry left out."""
    errors: list[str] = []

    def rules(key: str, values: Iterable[str]) -> tuple[str, ...]:
        kept = []
        for value in values:
            if known_rule(value):
                kept.append(value.strip())
            else:
                errors.append(f"{key}: unknown rule id {value!r}")
        return tuple(kept)

    overrides: dict[str, SeverityCode] = {}
    for rule_id, value in (severity or {}).items():
        if not known_rule_id(rule_id):
            errors.append(f"severity: unknown rule id {rule_id!r}")
        elif value not in SEVERITIES:
            errors.append(
                f"severity: {value!r} for {rule_id} is not one of {', '.join(SEVERITIES)}"
            )
        else:
            overrides[rule_id.strip()] = value
    globs = []
    for pattern in exclude:
        problem = glob_problem(pattern)
        if problem is None:
            globs.append(pattern)
        else:
            errors.append(f"exclude: {pattern!r} is not a valid glob ({problem})")
    profile = Profile(
        extended=bool(extended),
        disabled=rules("disabled", disabled),
        enabled=rules("enabled", enabled),
        severity=overrides,
        exclude=tuple(globs),
        tests_suggestions_only=bool(tests_suggestions_only),
    )
    return profile, errors
