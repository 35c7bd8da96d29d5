"""What a reviewed repository may say about its own review, and what is never reviewed.

``[tool.reviewdeck]`` in the repository's ``pyproject.toml``::

    [tool.reviewdeck]
    disable = ["PF003", "ruff:T201"]          # rule ids or id prefixes
    exclude = ["legacy/*", "scripts/*.py"]    # globs on POSIX paths from the root
    severity = { SA011 = "important" }        # per-rule severity overrides

``# noqa`` on a flagged line suppresses every finding there; ``# noqa: SA001, E722``
only those rules (a ruff code matches its ``ruff:`` id). Generated and vendored code and
other tools' migrations are skipped by default, and files that the tree's own
``.gitignore`` files ignore are never reviewed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path

from reviewer.engine.code_context import in_context
from reviewer.engine.gitignore import ignored_paths
from reviewer.engine.profile import Profile, validate
from reviewer.engine.types import Issue, Note, SeverityCode

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Za-z0-9:]+(?:[,\s]+[A-Za-z0-9:]+)*))?", re.I)

#: Paths skipped by default (generated, vendored, other tools' migrations).
DEFAULT_EXCLUDES = (
    "*_pb2.py",
    "*_pb2_grpc.py",
    "*/_vendor/*",
    "*/vendor/*",
    "*/vendored/*",
    "*/third_party/*",
    "*/generated/*",
    "*/migrations/[0-9][0-9][0-9][0-9]_*.py",  # Django migrations (Alembic's live in versions/)
)


@dataclass(frozen=True, slots=True)
class ProjectConfig:
    disable: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    severity: dict[str, SeverityCode] = field(default_factory=dict)


def load_config(root: Path) -> tuple[ProjectConfig, list[Note]]:
    path = root / "pyproject.toml"
    if not path.is_file() or path.is_symlink():
        return ProjectConfig(), []
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        return ProjectConfig(), [Note("pyproject.toml", f"not read ({type(exc).__name__})")]
    section = data.get("tool", {}).get("reviewdeck", {})
    if not isinstance(section, dict):
        return ProjectConfig(), [Note("pyproject.toml", "[tool.reviewdeck] is not a table")]
    notes: list[Note] = []

    def strings(key: str) -> tuple[str, ...]:
        value = section.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            notes.append(Note("pyproject.toml", f"tool.reviewdeck.{key} must be a list of strings"))
            return ()
        return tuple(value)

    raw = section.get("severity", {})
    if not isinstance(raw, dict):
        notes.append(Note("pyproject.toml", "tool.reviewdeck.severity must be a table"))
        raw = {}
    # The same checks as a server-side profile: unknown rule ids, bad globs and bad
    # severities become notes, and the rest still applies.
    checked, problems = validate(
        disabled=strings("disable"), exclude=strings("exclude"), severity=raw
    )
    notes.extend(
        Note("pyproject.toml", "tool.reviewdeck." + p.replace("disabled:", "disable:", 1))
        for p in problems
    )
    severity = {k.upper(): v for k, v in checked.severity.items()}
    return ProjectConfig(checked.disabled, checked.exclude, severity), notes


def matches(path: str, patterns: Iterable[str]) -> bool:
    """Whether ``path`` matches one of the globs (``*`` also crosses ``/``, so ``tests/**``
    and ``**/versions/sqlite/**`` work; "*/x/*" also matches "x/..." at the root)."""
    return any(fnmatchcase(path, p) or fnmatchcase("./" + path, p) for p in patterns)


def excluded(path: str, config: ProjectConfig) -> bool:
    return matches(path, DEFAULT_EXCLUDES) or matches(path, config.exclude)


def _named_by(rule_id: str, patterns: Iterable[str]) -> bool:
    rule = rule_id.upper()
    return any(rule.startswith(p.upper()) for p in patterns)


def in_profile(rule_id: str, rule_profile: str, profile: Profile) -> bool:
    """Whether a rule (native id or ``ruff:CODE``) runs under ``profile``: not disabled,
    and in the default set, or the profile is extended, or it enables the rule."""
    if profile.disabled and _named_by(rule_id, profile.disabled):
        return False
    return rule_profile == "default" or profile.extended or _named_by(rule_id, profile.enabled)


def apply_profile(issues: list[Issue], profile: Profile) -> list[Issue]:
    """Path exclusions, severity overrides and "tests: suggestions only" of a profile
    (its rule choice and the exclusion of Python files were applied before the review).
    An override sets the rule's severity; the code's context still caps it
    (docs/severity.md)."""
    if profile.exclude:
        # Project rules may point at files the file walk never saw (a Dockerfile).
        issues = [i for i in issues if not matches(i.path, profile.exclude)]
    if not profile.severity and not profile.tests_suggestions_only:
        return issues
    return [_adjusted(i, profile.severity, profile.tests_suggestions_only) for i in issues]


def _adjusted(
    issue: Issue, overrides: Mapping[str, SeverityCode], tests_suggestions_only: bool
) -> Issue:
    severity = issue.severity
    override = overrides.get(issue.rule_id.upper())
    if override:
        severity = in_context(issue.rule_id, issue.category, override, issue.context)
    if tests_suggestions_only and issue.context == "test":
        severity = "suggestion"
    return issue if severity == issue.severity else replace(issue, severity=severity)


def git_ignored(root: Path, paths: Sequence[str]) -> set[str]:
    """The paths the reviewed tree's own ``.gitignore`` files ignore (never a repository
    around the tree: see gitignore.py)."""
    return ignored_paths(root, paths)


def _noqa_codes(snippet: str) -> set[str] | None:
    """None: no noqa; empty set: a bare noqa (everything); else the upper-cased codes."""
    if "#" not in snippet:
        return None  # no comment, no noqa (the common case, checked first)
    match = _NOQA.search(snippet)
    if match is None:
        return None
    codes = match.group("codes")
    if not codes:
        return set()
    return {c.upper() for c in re.split(r"[,\s]+", codes) if c}


def suppressed(issue: Issue) -> bool:
    codes = _noqa_codes(issue.snippet)
    if codes is None:
        return False
    if not codes:
        return True
    rule = issue.rule_id.upper()
    return rule in codes or rule.removeprefix("RUFF:") in codes


def kept_in_file(issues: list[Issue]) -> list[Issue]:
    """One file's findings without the ``# noqa``'d ones and without repeats. Depends on
    the file alone, so it runs before the file's findings are cached."""
    return list(dict.fromkeys(i for i in issues if not suppressed(i)))


def apply_config(issues: list[Issue], config: ProjectConfig) -> list[Issue]:
    """Drop the findings of disabled rules and apply severity overrides (``# noqa`` is
    :func:`kept_in_file`'s job)."""
    if not config.disable and not config.severity:
        return issues
    disabled = tuple(d.upper() for d in config.disable)
    kept = []
    for issue in issues:
        rule = issue.rule_id.upper()
        if disabled and rule.startswith(disabled):
            continue
        kept.append(_adjusted(issue, config.severity, False) if config.severity else issue)
    return kept
