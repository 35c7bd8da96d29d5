"""Helpers for rule tests: sources mark the lines a rule must flag with ``# HIT``."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer.engine import review

HIT = "# HIT"

CheckRule = Callable[..., list[int]]


def expected_lines(source: str) -> list[int]:
    """The 1-based lines of ``source`` marked ``# HIT``."""
    return [n for n, line in enumerate(source.splitlines(), 1) if HIT in line]


@pytest.fixture
def check_rule(tmp_path: Path) -> CheckRule:
    """Write ``source`` to ``path`` under a fresh root, review it with one rule only, and
    return the lines that rule flagged (the source is dedented first)."""

    def run(rule_id: str, source: str, path: str = "app/module.py") -> list[int]:
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source)
        result = review(tmp_path, [path], rule_ids=[rule_id], jobs=1)
        assert not result.notes, result.notes
        assert result.files_reviewed == 1
        return [issue.line for issue in result.issues if issue.rule_id == rule_id]

    return run


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")
