"""The rule corpus: ``tests/corpus/<RULE>/`` holds small realistic files; every line a
rule must flag ends with ``# HIT``, and every other line must stay quiet (the negative
files are written to tempt a naive check). Per-rule precision and recall are printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.engine import review
from reviewer.engine.registry import get_rule

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
RULES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and get_rule(p.name))


def _expected(folder: Path) -> set[tuple[str, int]]:
    found = set()
    for path in sorted(folder.rglob("*.py")):
        rel = path.relative_to(folder).as_posix()
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "# HIT" in line:
                found.add((rel, number))
    return found


def test_every_corpus_folder_names_a_rule() -> None:
    folders = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
    assert folders and folders == RULES


@pytest.mark.parametrize("rule_id", RULES)
def test_corpus(rule_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    folder = CORPUS / rule_id
    expected = _expected(folder)
    negatives = [p for p in folder.rglob("*.py") if "# HIT" not in p.read_text()]
    assert len(expected) >= 3, f"{rule_id}: fewer than 3 positive cases"
    assert negatives, f"{rule_id}: no negative file"

    result = review(folder, rule_ids=[rule_id], jobs=1)
    assert not [n for n in result.notes if "skipped" in n.message.lower()]
    got = {(i.path, i.line) for i in result.issues if i.rule_id == rule_id}

    true_pos = len(got & expected)
    precision = true_pos / len(got) if got else 1.0
    recall = true_pos / len(expected)
    with capsys.disabled():
        print(f"\n{rule_id}: precision {precision:.0%} recall {recall:.0%} ({len(expected)} cases)")
    assert got - expected == set(), f"{rule_id} false positives: {sorted(got - expected)}"
    assert expected - got == set(), f"{rule_id} missed: {sorted(expected - got)}"
