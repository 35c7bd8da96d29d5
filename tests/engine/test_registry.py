"""The rule registry: metadata, lookups, validation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reviewer.engine.context import FileContext
from reviewer.engine.registry import (
    AGENTS,
    REGISTRY,
    Hit,
    Rule,
    agent_for,
    all_rules,
    get_rule,
    rule,
    rules_for_agent,
    rules_with_prefix,
    ruleset_fingerprint,
    select_rules,
)
from reviewer.engine.rule_policy import POLICY

# id -> (severity, debt kind): the checklist's debt kinds, severities as docs/severity.md
# sets them (the checklist's C/I/S column was the starting point).
CHECKLIST = {
    "SA001": ("suggestion", "sqlalchemy"),
    "SA002": ("suggestion", "sqlalchemy"),
    "PD001": ("suggestion", "pydantic"),
    "PD003": ("suggestion", "pydantic"),
    "FA001": ("suggestion", "fastapi"),
    "AL001": ("important", "alembic"),
    "AS001": ("critical", ""),
    "PARSE001": ("important", ""),
    "SA003": ("suggestion", "sqlalchemy"),
    "SA004": ("suggestion", "sqlalchemy"),
    "SA007": ("critical", ""),
    "SA009": ("important", ""),
    "SA010": ("important", "sqlalchemy"),
    "SA011": ("suggestion", ""),
    "FA002": ("important", ""),
    "FA007": ("suggestion", "fastapi"),
    "PD002": ("important", "pydantic"),
    "PD004": ("suggestion", "pydantic"),
    "PD005": ("important", "pydantic"),
    "PD006": ("important", "pydantic"),
    "PD007": ("suggestion", "pydantic"),
    "AL002": ("important", ""),
    "AL003": ("important", "alembic"),
    "AL004": ("suggestion", ""),
    "AL009": ("suggestion", ""),
    "AS003": ("critical", ""),
    "CQ003": ("suggestion", ""),
    "PT001": ("important", ""),
    "PT004": ("suggestion", ""),
    "PF003": ("suggestion", ""),
    "SA005": ("important", ""),
    "SA006": ("important", ""),
    "AL005": ("important", ""),
    "AL006": ("suggestion", ""),
    "AL007": ("critical", "alembic"),
    "AL008": ("important", ""),
    "PF001": ("important", ""),
    "PF002": ("important", ""),
    "PF004": ("suggestion", ""),
    "PR001": ("suggestion", "tooling"),
    "PR002": ("suggestion", "tooling"),
    "PR004": ("suggestion", "tooling"),
    "PR005": ("important", ""),
    "PR006": ("critical", ""),
    "CQ004": ("critical", ""),
    "CQ005": ("critical", ""),
    "CQ007": ("suggestion", ""),
    "SA008": ("important", ""),
    "FA003": ("suggestion", ""),
    "FA004": ("suggestion", ""),
    "FA005": ("important", ""),
    "FA006": ("suggestion", ""),
    "PD008": ("suggestion", ""),
    "AS002": ("suggestion", ""),
    "AS004": ("critical", ""),
    "PT002": ("important", ""),
    "PT003": ("suggestion", ""),
    "PT005": ("suggestion", ""),
}


def test_registered_rules_match_the_checklist() -> None:
    rules = {r.id: r for r in all_rules()}
    assert set(CHECKLIST) <= set(rules)
    for rule_id, (severity, debt_kind) in CHECKLIST.items():
        assert (rules[rule_id].severity, rules[rule_id].debt_kind) == (severity, debt_kind)


def test_every_rule_has_its_severity_reason_precision_and_profile() -> None:
    for r in all_rules():
        assert r.severity_reason.lower().startswith(r.severity), r.id
        assert r.precision is not None and 0 <= r.precision <= 1, r.id
        below = r.precision < 0.8 and not POLICY[r.id].kept_in_default
        assert r.profile == ("extended" if below else "default"), r.id


def test_every_rule_documents_itself() -> None:
    for r in all_rules():
        assert r.title and len(r.explanation) > 100, r.id
        assert r.before and r.after and r.before != r.after, r.id
        assert 0 < r.confidence <= 100
        assert (r.debt_minutes > 0) == bool(r.debt_kind), r.id
        assert r.agent == agent_for(r.id)


def test_lookups_by_id_agent_and_prefix() -> None:
    sa001 = get_rule("sa001")
    assert sa001 is not None and sa001.id == "SA001"
    assert get_rule("XX999") is None
    sa_ids = [r.id for r in rules_with_prefix("SA")]
    assert sa_ids[:2] == ["SA001", "SA002"] and sa_ids == sorted(sa_ids)
    assert all(i.startswith("SA") for i in sa_ids)
    reviewer_ids = {r.id for r in rules_for_agent("python-backend-reviewer")}
    assert {i for i in CHECKLIST if not i.startswith(("PF", "PR"))} <= reviewer_ids
    assert {r.id[:2] for r in rules_for_agent("python-backend-architect")} <= {"PF"}
    expert_ids = {r.id for r in rules_for_agent("python-backend-expert-enhanced")}
    assert {i for i in CHECKLIST if i.startswith("PR")} <= expert_ids
    picked = [r.id for r in select_rules(rule_ids=["PD", "AL"])]
    assert {"AL001", "PD001", "PD003"} <= set(picked) and picked == sorted(picked)
    assert {i[:2] for i in picked} == {"AL", "PD"}
    assert select_rules(agents=["python-backend-expert-enhanced"], rule_ids=["SA"]) == []


def test_agents_follow_the_rule_id_prefix() -> None:
    assert agent_for("FA123") == agent_for("CQ001") == "python-backend-reviewer"
    assert agent_for("PF001") == "python-backend-architect"
    assert agent_for("PR002") == "python-backend-expert-enhanced"
    assert set(AGENTS) == {
        "python-backend-reviewer",
        "python-backend-architect",
        "python-backend-expert-enhanced",
    }
    with pytest.raises(ValueError, match="agent prefix"):
        agent_for("ZZ001")


def _meta(**overrides: object) -> dict[str, object]:
    meta: dict[str, object] = {
        "id": "CQ980",
        "title": "t",
        "severity": "suggestion",
        "confidence": 50,
        "category": "quality",
        "agent": "python-backend-reviewer",
        "debt_kind": "",
        "debt_minutes": 0,
        "explanation": "e",
        "before": "",
        "after": "",
    }
    meta.update(overrides)
    return meta


@pytest.mark.parametrize(
    "bad",
    [
        {"severity": "blocker"},
        {"confidence": 101},
        {"category": "misc"},
        {"agent": "someone"},
        {"debt_kind": "pydantic", "debt_minutes": 0},
        {"id": "CQ-1"},
    ],
)
def test_invalid_rule_metadata_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="CQ"):
        Rule(**_meta(**bad))  # type: ignore[arg-type]


def test_a_second_rule_with_a_taken_id_is_refused() -> None:
    def declare() -> None:
        @rule(
            id="SA001",
            title="dup",
            severity="important",
            confidence=10,
            category="sqlalchemy",
            explanation="e",
            before="",
            after="",
        )
        def check(ctx: FileContext) -> Iterator[Hit]:
            yield from ()

    with pytest.raises(ValueError, match="registered twice"):
        declare()
    assert REGISTRY.get("SA001") is not None
    assert REGISTRY.get("SA001").title != "dup"  # type: ignore[union-attr]


def test_ruleset_fingerprint_depends_on_the_selected_rules() -> None:
    everything = ruleset_fingerprint()
    assert everything == ruleset_fingerprint() and len(everything) == 64
    assert ruleset_fingerprint(rule_ids=["SA"]) != everything
    assert ruleset_fingerprint(agents=["python-backend-architect"]) != everything
