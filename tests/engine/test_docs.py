"""rule_doc: the public description of a rule, native or reused from ruff."""

from __future__ import annotations

from reviewer.engine import RuleDoc, rule_doc
from reviewer.engine.registry import all_rules


def test_every_native_rule_has_a_doc() -> None:
    for rule in all_rules():
        doc = rule_doc(rule.id)
        assert isinstance(doc, RuleDoc)
        assert (doc.id, doc.title, doc.severity) == (rule.id, rule.title, rule.severity)
        assert doc.explanation == rule.explanation
        assert doc.before == rule.before and doc.after == rule.after


def test_lookup_is_case_insensitive_and_unknown_is_none() -> None:
    doc = rule_doc("sa001")
    assert doc is not None and doc.id == "SA001"
    assert rule_doc("ZZ999") is None
    assert rule_doc("ruff:") is None
    assert rule_doc("ruff:NOPE1") is None


def test_ruff_codes_map_to_checklist_metadata() -> None:
    doc = rule_doc("ruff:E722")
    assert doc is not None
    assert doc.id == "ruff:E722"
    assert doc.severity == "important" and doc.category == "quality"
    assert "E722" in doc.explanation and "CQ001" in doc.explanation
    fast = rule_doc("ruff:FAST002")
    assert fast is not None and fast.debt_kind == "fastapi" and fast.debt_minutes > 0
    asyncio = rule_doc("ruff:ASYNC251")
    assert asyncio is not None and asyncio.severity == "critical"
