"""``rule_doc(rule_id)``: what the product shows about a rule (finding page, ``--explain``).

Native rules document themselves in the registry. Ids of the form ``ruff:CODE`` name a
ruff rule the engine reuses; their page carries our metadata for the code and points the
reader at ruff's own documentation for the details.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.engine.code_context import context_text
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
    severity_reason: str = ""  # why the policy (docs/severity.md) gives this severity
    precision: float | None = None  # share of true findings on real code
    precision_measured: bool = False  # False: an estimate until labels exist
    profile: str = "default"  # "extended": only reported when a profile asks for it
    contexts: str = ""  # how the code's context changes the severity

    @property
    def precision_text(self) -> str:
        """ "0.85 (measured)", "0.60 (estimate)" or "not known"."""
        if self.precision is None:
            return "not known"
        return f"{self.precision:.2f} ({'measured' if self.precision_measured else 'estimate'})"


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
        severity_reason=rule.severity_reason,
        precision=rule.precision,
        precision_measured=rule.precision_measured,
        profile=rule.profile,
        contexts=context_text(rule.id, rule.category),
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
        severity_reason=meta.reason,
        precision=meta.precision,
        precision_measured=meta.precision_measured,
        profile=meta.profile,
        contexts=context_text(RUFF_PREFIX + code, meta.category),
    )


def rule_doc(rule_id: str) -> RuleDoc | None:
    """The documentation of ``rule_id`` (e.g. ``SA001`` or ``ruff:E722``), None if unknown."""
    rule_id = rule_id.strip()
    if rule_id.lower().startswith(RUFF_PREFIX):
        return _ruff_doc(rule_id[len(RUFF_PREFIX) :])
    rule = get_rule(rule_id)
    return _from_rule(rule) if rule is not None else None


SEVERITY_TABLE_HEADING = "## Every rule"


def severity_table() -> str:
    """The rule tables at the end of docs/severity.md (``python -m
    reviewer.engine.docs`` prints them; a test keeps the page equal to them)."""
    from reviewer.engine.registry import all_rules
    from reviewer.engine.ruff_codes import RUFF_CODES

    def figure(precision: float | None, measured: bool) -> str:
        if precision is None:
            return "not known"
        return f"{precision:.2f}" + ("" if measured else " est.")

    lines = [
        "| rule | severity | precision | profile | why |",
        "|---|---|---|---|---|",
    ]
    for r in all_rules():
        lines.append(
            f"| {r.id} | {r.severity} | {figure(r.precision, r.precision_measured)} "
            f"| {r.profile} | {r.severity_reason} |"
        )
    lines += [
        "",
        "| ruff code | checklist row | severity | precision | profile | why |",
        "|---|---|---|---|---|---|",
    ]
    from reviewer.engine.measured import MEASURED
    from reviewer.engine.ruff_codes import lookup

    codes = set(RUFF_CODES) | {
        rule_id.removeprefix("ruff:")
        for rule_id in MEASURED
        if rule_id.startswith("ruff:") and lookup(rule_id.removeprefix("ruff:")) is not None
    }
    for code in sorted(codes):
        meta = lookup(code)
        assert meta is not None
        name = code + ("*" if not code[-1].isdigit() else "")
        shown = f"`ruff:{name}`" + ("" if meta.run else " (not run)")
        lines.append(
            f"| {shown} | {meta.checklist} | {meta.severity} "
            f"| {figure(meta.precision, meta.precision_measured)} | {meta.profile} "
            f"| {meta.reason} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(severity_table(), end="")
