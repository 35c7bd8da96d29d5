"""Corpus of the paydown codemods: for every case, ``before/`` is committed to a real git
repository, the patch is prepared and applied with ``git apply``, and the files must equal
``after/`` (a file missing there must be unchanged). ``left.txt`` lists the findings the
codemod must leave for a person, with the reason it gives."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer.paydown.prepare import DEFAULT_REASON, prepare
from tests.conftest import GitRepo

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p for p in CORPUS.glob("*/*") if (p / "before").is_dir())


def _files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_case(case: Path, make_repo: Callable[[str], GitRepo]) -> None:
    kind = case.parent.name
    before = _files(case / "before")
    repo = make_repo("repo")
    repo.commit(before, "before")

    result = prepare(repo.path, kind, jobs=1)

    left = sorted(
        f"{x.issue.rule_id} {x.issue.path}:{x.issue.line} {x.reason}" for x in result.left
    )
    expected_left = sorted((case / "left.txt").read_text().splitlines())
    assert left == expected_left
    assert all(x.reason != DEFAULT_REASON for x in result.left)
    assert not result.new
    assert repo.git("status", "--porcelain") == "", "the reviewed tree must not be modified"

    after_dir = case / "after"
    if not after_dir.is_dir():
        assert result.diff == ""
        assert not result.offered
        assert result.problems == ["no finding can be rewritten safely: all need a person"]
        return
    assert result.offered, result.problems
    assert result.removed
    subprocess.run(["git", "apply", "-"], cwd=repo.path, input=result.diff.encode(), check=True)
    after = _files(after_dir)
    for path, text in before.items():
        assert (repo.path / path).read_text() == after.get(path, text), path
    assert sorted(result.files) == sorted(after)
