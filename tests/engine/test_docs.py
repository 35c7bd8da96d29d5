"""rule_doc: the public description of a rule, native or reused from ruff."""

from __future__ import annotations

from pathlib import Path

from reviewer.engine import RuleDoc, rule_doc
from reviewer.engine.docs import severity_table
from reviewer.engine.registry import all_rules
from reviewer.engine.ruff_codes import RUFF_CODES, ruff_selection


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
    # Not blocking calls: no longer mapped to the Critical "blocking call" row.
    for code in ("ASYNC109", "ASYNC110", "ASYNC115"):
        doc = rule_doc("ruff:" + code)
        assert doc is not None and doc.severity == "suggestion" and doc.profile == "extended"
        assert "AS006" in doc.explanation and "does not block" in doc.severity_reason


def test_the_severity_policy_names_every_rule_and_ruff_code() -> None:
    policy = (Path(__file__).resolve().parents[2] / "docs" / "severity.md").read_text()
    # The tables are the code's: `uv run python -m reviewer.engine.docs` prints them.
    assert policy.endswith(severity_table()), (
        "docs/severity.md is out of date: replace its tables with the output of "
        "`uv run python -m reviewer.engine.docs` (after measured.py or a policy change)"
    )
    for rule in all_rules():
        assert f"| {rule.id} | {rule.severity} |" in policy, rule.id
        doc = rule_doc(rule.id)
        assert doc is not None and doc.severity_reason == rule.severity_reason
        assert doc.precision == rule.precision and doc.profile == rule.profile
        assert "test:" in doc.contexts
    for code, meta in RUFF_CODES.items():
        assert f"`ruff:{code}" in policy, code
        assert meta.reason.lower().startswith(meta.severity), code
    assert "S106" not in ruff_selection() and not any(c.startswith("ANN") for c in ruff_selection())
