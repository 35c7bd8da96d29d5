"""The plug-in rule registry.

A rule is declared once, next to its check, with every piece of metadata the product shows
(title, severity, debt, explanation, example)::

    @rule(
        id="SA001",
        title="...",
        severity="important",
        confidence=90,
        category="sqlalchemy",
        debt_kind="sqlalchemy",
        debt_minutes=30,
        explanation="...",
        before="...",
        after="...",
    )
    def check(ctx: FileContext) -> Iterator[Hit]:
        ...
        yield Hit.at(node, "specific message")

Two scopes exist:

* ``file`` rules (``@rule``) get one parsed file (:class:`FileContext`) at a time; the
  engine parses each file once and runs every selected file rule on that tree, possibly
  in a worker process.
* ``project`` rules (``@project_rule``) get the whole reviewed tree
  (:class:`ProjectContext`) once, in the calling process, for checks that need several
  files at a time (an Alembic revision graph, tool configuration). Their hits name a path.
  A project rule that reads every file should give a ``summarize(ctx: FileContext)``
  function: it runs in the file pass (in the workers, on the tree already parsed) and
  returns plain data (lists, dicts, strings, numbers; None = nothing here) that is cached
  with the file, so the project check only combines summaries
  (``ctx.summaries(summarize)``) and a one-file change does not parse the tree again.

A rule module registers its rules on import; ``reviewer.engine.rules`` imports them all,
and :func:`load_rules` makes sure that happened before a lookup.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import json
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

from reviewer.engine.context import FileContext, ProjectContext
from reviewer.engine.rule_policy import POLICY, profile_for
from reviewer.engine.types import SeverityCode

Scope = Literal["file", "project"]
ProfileName = Literal["default", "extended"]
PROFILES: tuple[ProfileName, ...] = ("default", "extended")

SEVERITIES: tuple[SeverityCode, ...] = ("critical", "important", "suggestion")
CATEGORIES = (
    "fastapi",
    "sqlalchemy",
    "alembic",
    "pydantic",
    "asyncio",
    "tests",
    "quality",
    "performance",
    "project",
)
DEBT_KINDS = ("", "pydantic", "sqlalchemy", "fastapi", "alembic", "tooling")

REVIEWER = "python-backend-reviewer"
ARCHITECT = "python-backend-architect"
EXPERT = "python-backend-expert-enhanced"
AGENTS = (REVIEWER, ARCHITECT, EXPERT)

#: Which agent a rule belongs to, by the letters its id starts with.
AGENT_BY_PREFIX = {
    "FA": REVIEWER,
    "SA": REVIEWER,
    "AL": REVIEWER,
    "PD": REVIEWER,
    "AS": REVIEWER,
    "PT": REVIEWER,
    "CQ": REVIEWER,
    "PARSE": REVIEWER,
    "PF": ARCHITECT,
    "PR": EXPERT,
}


def agent_for(rule_id: str) -> str:
    """The agent a rule id belongs to (by its letter prefix)."""
    prefix = rule_id.rstrip("0123456789")
    try:
        return AGENT_BY_PREFIX[prefix]
    except KeyError:
        raise ValueError(f"rule id {rule_id!r} has no known agent prefix") from None


@dataclass(frozen=True, slots=True)
class Hit:
    """One place a rule flags, with a message specific to that place.

    ``column`` is ast's 0-based UTF-8 byte offset; the engine turns it into a character
    column. ``severity``/``confidence`` override the rule's defaults for this hit only
    (for rules whose severity depends on what they see). ``path`` is required for hits of
    project rules and ignored for file rules.
    """

    line: int
    column: int
    message: str
    severity: SeverityCode | None = None
    confidence: int | None = None
    path: str | None = None

    @classmethod
    def at(
        cls,
        node: ast.AST,
        message: str,
        *,
        severity: SeverityCode | None = None,
        confidence: int | None = None,
        path: str | None = None,
    ) -> Hit:
        line = getattr(node, "lineno", 1)
        column = getattr(node, "col_offset", 0)
        return cls(line, column, message, severity, confidence, path)


FileCheck = Callable[[FileContext], Iterable[Hit]]
ProjectCheck = Callable[[ProjectContext], Iterable[Hit]]
Summarize = Callable[[FileContext], Any]


def summary_name(summarize: Summarize) -> str:
    """The name a summary is stored under (rules sharing a function share the summary)."""
    return f"{summarize.__module__}.{summarize.__qualname__}"


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule's metadata and its check. ``check`` takes a FileContext or a ProjectContext
    depending on ``scope``; a rule with no check (PARSE001) is reported by the engine."""

    id: str
    title: str
    severity: SeverityCode
    confidence: int
    category: str
    agent: str
    debt_kind: str
    debt_minutes: int
    explanation: str
    before: str
    after: str
    scope: Scope = "file"
    check: Callable[..., Iterable[Hit]] | None = None
    summarize: Summarize | None = None
    # Share of true findings on labeled real code (bench/precision.py), None = not known;
    # ``precision_measured`` False = our estimate until labels exist.
    precision: float | None = None
    precision_measured: bool = False
    profile: ProfileName = "default"  # "extended": only run when a profile asks for it
    severity_reason: str = ""  # why the policy (docs/severity.md) gives this severity

    def __post_init__(self) -> None:
        problems = []
        if not self.id or not self.id[0].isalpha() or not self.id.isalnum():
            problems.append("id must be letters then digits")
        if self.severity not in SEVERITIES:
            problems.append(f"severity must be one of {SEVERITIES}")
        if not 0 <= self.confidence <= 100:
            problems.append("confidence must be 0-100")
        if self.category not in CATEGORIES:
            problems.append(f"category must be one of {CATEGORIES}")
        if self.agent not in AGENTS:
            problems.append(f"agent must be one of {AGENTS}")
        if self.debt_kind not in DEBT_KINDS:
            problems.append(f"debt_kind must be one of {DEBT_KINDS}")
        if self.debt_kind and self.debt_minutes <= 0:
            problems.append("a debt rule needs debt_minutes > 0")
        if self.profile not in PROFILES:
            problems.append(f"profile must be one of {PROFILES}")
        if self.precision is not None and not 0 <= self.precision <= 1:
            problems.append("precision must be 0-1")
        if not self.title or not self.explanation:
            problems.append("title and explanation are required")
        if problems:
            raise ValueError(f"rule {self.id!r}: " + "; ".join(problems))

    def run_file(self, ctx: FileContext) -> Iterator[Hit]:
        if self.check is not None and self.scope == "file":
            yield from self.check(ctx)

    def run_project(self, ctx: ProjectContext) -> Iterator[Hit]:
        if self.check is not None and self.scope == "project":
            yield from self.check(ctx)


class Registry:
    """Rules by id. Lookups return rules sorted by id, so output order never depends on
    the order modules were imported in."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def add(self, new: Rule) -> Rule:
        new = _with_policy(new)
        old = self._rules.get(new.id)
        if old is not None and _origin(old) != _origin(new):
            raise ValueError(f"rule id {new.id} is registered twice ({_origin(old)})")
        self._rules[new.id] = new  # the same rule again (a module reload) replaces it
        return new

    def remove(self, rule_id: str) -> None:
        self._rules.pop(rule_id, None)

    def all(self) -> list[Rule]:
        return [self._rules[key] for key in sorted(self._rules)]

    def get(self, rule_id: str) -> Rule | None:
        return self._rules.get(rule_id.upper())

    def by_agent(self, agent: str) -> list[Rule]:
        return [r for r in self.all() if r.agent == agent]

    def by_prefix(self, prefix: str) -> list[Rule]:
        prefix = prefix.upper()
        return [r for r in self.all() if r.id.startswith(prefix)]

    def select(
        self,
        agents: Collection[str] | None = None,
        rule_ids: Collection[str] | None = None,
    ) -> list[Rule]:
        """Rules of any of ``agents`` whose id starts with any of ``rule_ids`` (None = all)."""
        prefixes = tuple(p.upper() for p in rule_ids) if rule_ids is not None else None
        return [
            r
            for r in self.all()
            if (agents is None or r.agent in agents)
            and (prefixes is None or r.id.startswith(prefixes))
        ]


def _origin(rule_: Rule) -> str:
    check = rule_.check
    if check is None:
        return "<no check>"
    return f"{check.__module__}.{check.__qualname__}"


REGISTRY = Registry()

F = TypeVar("F", bound=Callable[..., Iterable[Hit]])


def _with_policy(rule_: Rule) -> Rule:
    """The rule with its entry of the severity policy (rule_policy.py) copied on, unless
    it already carries one."""
    policy = POLICY.get(rule_.id)
    if policy is None or rule_.severity_reason:
        return rule_
    return replace(
        rule_,
        precision=policy.precision,
        precision_measured=policy.measured,
        profile="extended" if profile_for(rule_.id, policy.precision) == "extended" else "default",
        severity_reason=policy.reason,
    )


def _register(template: Rule) -> Callable[[F], F]:
    def register(check: F) -> F:
        REGISTRY.add(replace(template, check=check))
        return check

    return register


def rule(
    *,
    id: str,
    title: str,
    severity: SeverityCode,
    confidence: int,
    category: str,
    explanation: str,
    before: str,
    after: str,
    debt_kind: str = "",
    debt_minutes: int = 0,
    agent: str | None = None,
) -> Callable[[F], F]:
    """Register a file-level check ``check(ctx: FileContext) -> Iterable[Hit]``."""
    return _register(
        Rule(
            id=id,
            title=title,
            severity=severity,
            confidence=confidence,
            category=category,
            agent=agent or agent_for(id),
            debt_kind=debt_kind,
            debt_minutes=debt_minutes,
            explanation=explanation,
            before=before,
            after=after,
            scope="file",
        )
    )


def project_rule(
    *,
    id: str,
    title: str,
    severity: SeverityCode,
    confidence: int,
    category: str,
    explanation: str,
    before: str,
    after: str,
    debt_kind: str = "",
    debt_minutes: int = 0,
    agent: str | None = None,
    summarize: Summarize | None = None,
) -> Callable[[F], F]:
    """Register a project-level check ``check(ctx: ProjectContext) -> Iterable[Hit]``;
    every hit it yields must name its ``path``. ``summarize`` (see the module docs) runs
    on each parsed file in the file pass; its results reach the check through
    ``ctx.summaries(summarize)``."""
    return _register(
        Rule(
            id=id,
            title=title,
            severity=severity,
            confidence=confidence,
            category=category,
            agent=agent or agent_for(id),
            debt_kind=debt_kind,
            debt_minutes=debt_minutes,
            explanation=explanation,
            before=before,
            after=after,
            scope="project",
            summarize=summarize,
        )
    )


def load_rules() -> Registry:
    """Import every rule module (once) and return the registry."""
    importlib.import_module("reviewer.engine.rules")
    _apply_measured()
    return REGISTRY


def _apply_measured() -> None:
    """Give each rule its measured precision (reviewer/engine/measured.py), once."""
    from reviewer.engine.measured import measured

    for current in REGISTRY.all():
        found = measured(current.id)
        if found is not None and not current.precision_measured:
            # A measured figure replaces the estimate, and decides the profile.
            profile: ProfileName = (
                "extended" if profile_for(current.id, found[0]) == "extended" else "default"
            )
            REGISTRY.add(
                replace(current, precision=found[0], precision_measured=True, profile=profile)
            )


def all_rules() -> list[Rule]:
    return load_rules().all()


def get_rule(rule_id: str) -> Rule | None:
    return load_rules().get(rule_id)


def rules_for_agent(agent: str) -> list[Rule]:
    return load_rules().by_agent(agent)


def rules_with_prefix(prefix: str) -> list[Rule]:
    return load_rules().by_prefix(prefix)


def ruleset_fingerprint(
    agents: Collection[str] | None = None, rule_ids: Collection[str] | None = None
) -> str:
    """A hash that changes when the selected rules, their metadata or the engine's code
    change: equal fingerprints on an unchanged commit mean a review would give the same
    result (the scanner can skip it)."""
    digest = hashlib.sha256()
    for r in select_rules(agents, rule_ids):
        meta = {k: v for k, v in asdict(r).items() if k not in {"check", "summarize"}}
        digest.update(json.dumps(meta, sort_keys=True).encode())
    for source in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(source.relative_to(Path(__file__).parent).as_posix().encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def select_rules(
    agents: Collection[str] | None = None, rule_ids: Collection[str] | None = None
) -> list[Rule]:
    return load_rules().select(agents, rule_ids)
