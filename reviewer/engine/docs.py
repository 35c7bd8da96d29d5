"""``rule_doc(rule_id)``: what the product shows about a rule (finding page, ``--explain``).

Native rules document themselves in the registry. Ids of the form ``ruff:CODE`` name a
ruff rule the engine reuses; their page carries our metadata for the code and points the
reader at ruff's own documentation for the details.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.engine.registry import Rule, agent_for, get_rule
from reviewer.engine.ruff_codes import lookup
from reviewer.engine.types import SeverityCode

RUFF_PREFIX = "ruff:"


@dataclass(frozen=True, slots=True)
class RuleDoc:
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
    url: str = ""


def _from_rule(rule: Rule) -> RuleDoc:
    return RuleDoc(
        id=rule.id,
        title=rule.title,
        severity=rule.severity,
        confidence=rule.confidence,
        category=rule.category,
        agent=rule.agent,
        debt_kind=rule.debt_kind,
        debt_minutes=rule.debt_minutes,
        explanation=rule.explanation,
        before=rule.before,
        after=rule.after,
    )


def _ruff_doc(code: str) -> RuleDoc | None:
    code = code.strip().upper()
    if not code or not code[0].isalpha() or not code.isalnum():
        return None
    meta = lookup(code)
    if meta is None:
        return None
    return RuleDoc(
        id=RUFF_PREFIX + code,
        title=meta.title,
        severity=meta.severity,
        confidence=meta.confidence,
        category=meta.category,
        agent=agent_for(meta.checklist),
        debt_kind=meta.debt_kind,
        debt_minutes=meta.debt_minutes,
        explanation=(
            f"{meta.title} (checklist item {meta.checklist}). The engine does not write "
            f"this check again: ruff's rule {code} reports it, run with our own selection "
            "whatever the repository's ruff configuration says. ruff's documentation for "
            f"{code} gives the details and examples."
        ),
        before="",
        after="",
        url=f"https://docs.astral.sh/ruff/rules/#{code}",
    )


def rule_doc(rule_id: str) -> RuleDoc | None:
    """The documentation of ``rule_id`` (e.g. ``SA001`` or ``ruff:E722``), None if unknown."""
    rule_id = rule_id.strip()
    if rule_id.lower().startswith(RUFF_PREFIX):
        return _ruff_doc(rule_id[len(RUFF_PREFIX) :])
    rule = get_rule(rule_id)
    return _from_rule(rule) if rule is not None else None
