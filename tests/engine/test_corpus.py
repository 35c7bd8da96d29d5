"""The rule corpus: ``tests/corpus/<RULE>/`` holds small realistic files; every line a
rule must flag ends with ``# HIT``, and every other line must stay quiet (the negative
files are written to tempt a naive check). Per-rule precision and recall are printed.

A rule about the repository as a whole (a lock file, a Dockerfile, a committed ``.env``)
needs several repositories: its folder then holds ``cases/<name>/``, each reviewed as a
root of its own; at least three cases must expect a hit and three must expect none.
``# HIT`` also counts in the non-Python files such rules point at."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reviewer.engine import review
from reviewer.engine.registry import get_rule

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
RULES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and get_rule(p.name))
# Files whose "# HIT" markers count: Python, and what project rules read.
_MARKABLE = re.compile(
    r"^(.+\.py|(.+\.)?[Dd]ockerfile(\..+)?|Containerfile|\.env.*|.+\.env|.+\.(cfg|ini|toml|txt)"
    r"|\.flake8|\.pylintrc|Pipfile)$"
)


def _markable(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and _MARKABLE.match(p.name))


def _expected(root: Path, prefix: str = "") -> set[tuple[str, int]]:
    found = set()
    for path in _markable(root):
        rel = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "# HIT" in line:
                found.add((prefix + rel, number))
    return found


def _cases(folder: Path) -> list[Path]:
    cases = folder / "cases"
    return sorted(p for p in cases.iterdir() if p.is_dir()) if cases.is_dir() else []


def test_every_corpus_folder_names_a_rule() -> None:
    folders = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
    assert folders and folders == RULES


@pytest.mark.parametrize("rule_id", RULES)
def test_corpus(rule_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    folder = CORPUS / rule_id
    cases = _cases(folder)
    if cases:
        roots = [(case, f"{case.name}/") for case in cases]
        positive = [case for case in cases if _expected(case)]
        assert len(positive) >= 3, f"{rule_id}: fewer than 3 positive cases"
        assert len(cases) - len(positive) >= 3, f"{rule_id}: fewer than 3 negative cases"
    else:
        roots = [(folder, "")]
        negatives = [p for p in folder.rglob("*.py") if "# HIT" not in p.read_text()]
        assert len(_expected(folder)) >= 3, f"{rule_id}: fewer than 3 positive cases"
        assert negatives, f"{rule_id}: no negative file"

    expected: set[tuple[str, int]] = set()
    got: set[tuple[str, int]] = set()
    for root, prefix in roots:
        expected |= _expected(root, prefix)
        result = review(root, rule_ids=[rule_id], jobs=1)
        assert not [n for n in result.notes if "skipped" in n.message.lower()]
        got |= {(prefix + i.path, i.line) for i in result.issues if i.rule_id == rule_id}

    true_pos = len(got & expected)
    precision = true_pos / len(got) if got else 1.0
    recall = true_pos / len(expected)
    with capsys.disabled():
        print(f"\n{rule_id}: precision {precision:.0%} recall {recall:.0%} ({len(expected)} cases)")
    assert got - expected == set(), f"{rule_id} false positives: {sorted(got - expected)}"
    assert expected - got == set(), f"{rule_id} missed: {sorted(expected - got)}"
