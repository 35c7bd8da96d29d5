"""Plain data the engine returns. No Django here: the engine runs without a database."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from typing import Literal

SeverityCode = Literal["critical", "important", "suggestion"]
#: What kind of code a finding sits in (see ``code_context.py``): Critical means production
#: impact, so rules judge test, migration, script and generated code differently.
CodeContext = Literal["production", "test", "migration", "script", "generated"]
CODE_CONTEXTS: tuple[CodeContext, ...] = ("production", "test", "migration", "script", "generated")

_WS = re.compile(r"\s+")


def normalise_line(text: str) -> str:
    """The line text with runs of white space folded, as used for tracking and matching."""
    return _WS.sub(" ", text).strip()


def line_hash(text: str) -> str:
    """A stable hash of a source line's content (insensitive to indentation and spacing)."""
    return hashlib.sha1(
        normalise_line(text).encode("utf-8", "surrogatepass"), usedforsecurity=False
    ).hexdigest()


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding candidate produced by a rule (or, later, an agent)."""

    rule_id: str
    path: str  # POSIX path relative to the reviewed root
    line: int  # 1-based
    column: int  # 0-based, as ast reports
    title: str
    message: str
    severity: SeverityCode
    confidence: int  # 0-100
    category: str  # fastapi, sqlalchemy, alembic, pydantic, asyncio, tests, quality, ...
    agent: str  # the agent the rule belongs to, e.g. "python-backend-reviewer"
    debt_kind: str = ""  # "" when the finding is not migration debt
    debt_minutes: int = 0
    snippet: str = ""  # the flagged source line
    context: CodeContext = "production"
    # For migration code: the database dialects its chain runs on, sorted and comma
    # separated ("postgresql", "sqlite", "postgresql,sqlite"), or "unknown"; "" elsewhere.
    dialects: str = ""

    @property
    def line_hash(self) -> str:
        return line_hash(self.snippet)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def __reduce__(self) -> tuple[type[Issue], tuple[object, ...]]:
        # Pickled as its values (a worker sends tens of thousands back): the default for
        # a slotted dataclass walks fields() per object and was most of the parent's time.
        return (
            Issue,
            (
                self.rule_id,
                self.path,
                self.line,
                self.column,
                self.title,
                self.message,
                self.severity,
                self.confidence,
                self.category,
                self.agent,
                self.debt_kind,
                self.debt_minutes,
                self.snippet,
                self.context,
                self.dialects,
            ),
        )


@dataclass(frozen=True, slots=True)
class Note:
    """Something the reader should know that is not a finding (a skipped file, ...)."""

    path: str
    message: str


@dataclass(slots=True)
class ReviewResult:
    issues: list[Issue] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    files_reviewed: int = 0
    # Files that could not be read at all: tracking must not mark their findings fixed.
    unreadable: list[str] = field(default_factory=list)
    # Every file whose result is missing or partial (unreadable, unparsable, too big, a
    # failing rule, ruff crashed or timed out on it), with why: its earlier findings stay
    # open, since their absence this time proves nothing.
    incomplete: dict[str, str] = field(default_factory=dict)
    # Project-wide rules that failed: their earlier findings stay open everywhere.
    failed_rules: dict[str, str] = field(default_factory=dict)
    stats: dict[str, object] = field(default_factory=dict)
