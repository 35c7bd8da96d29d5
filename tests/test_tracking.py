"""Tracking matches findings across scans the way a reader expects."""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.engine.types import Issue, line_hash
from reviewer.tracking import track


@dataclass
class Known:
    rule_id: str
    path: str
    line: int
    line_hash: str
    status: str = "open"

    @property
    def is_open(self) -> bool:
        return self.status == "open"


def issue(rule: str, path: str, line: int, text: str) -> Issue:
    return Issue(
        rule_id=rule,
        path=path,
        line=line,
        column=0,
        title="t",
        message="m",
        severity="important",
        confidence=90,
        category="sqlalchemy",
        agent="python-backend-reviewer",
        snippet=text,
    )


def known(rule: str, path: str, line: int, text: str, status: str = "open") -> Known:
    return Known(rule, path, line, line_hash(text), status)


def test_it_keeps_a_finding_when_lines_shift_above_it() -> None:
    old = known("SA001", "a.py", 10, "rows = session.query(User).all()")
    result = track([old], [issue("SA001", "a.py", 14, "    rows = session.query(User).all()")])
    assert result.matched == [(old, result.matched[0][1])]
    assert result.matched[0][1].line == 14
    assert not result.new and not result.gone


def test_it_keeps_a_finding_when_its_line_is_edited() -> None:
    old = known("SA001", "a.py", 10, "rows = session.query(User).all()")
    result = track([old], [issue("SA001", "a.py", 10, "rows = session.query(Admin).all()")])
    assert [m[0] for m in result.matched] == [old]


def test_it_follows_a_renamed_file() -> None:
    old = known("PD001", "app/schemas.py", 5, "class Config:")
    result = track(
        [old],
        [issue("PD001", "app/api/schemas.py", 5, "class Config:")],
        renames={"app/schemas.py": "app/api/schemas.py"},
    )
    assert [m[0] for m in result.matched] == [old]


def test_a_finding_that_disappears_is_gone_and_a_new_one_is_new() -> None:
    old = known("SA001", "a.py", 10, "session.query(User)")
    new = issue("PD003", "a.py", 3, "@validator('x')")
    result = track([old], [new])
    assert result.gone == [old]
    assert result.new == [new]


def test_a_fixed_finding_that_comes_back_is_matched_on_content() -> None:
    fixed = known("SA001", "a.py", 10, "session.query(User)", status="fixed")
    result = track([fixed], [issue("SA001", "a.py", 30, "session.query(User)")])
    assert [m[0] for m in result.matched] == [fixed]
    assert result.gone == []  # a fixed finding is never "gone" twice


def test_a_fixed_finding_is_not_reopened_by_a_different_line_at_its_place() -> None:
    fixed = known("SA001", "a.py", 10, "session.query(User)", status="fixed")
    result = track([fixed], [issue("SA001", "a.py", 10, "session.query(Order)")])
    assert result.matched == []
    assert len(result.new) == 1


def test_identical_lines_keep_their_own_findings() -> None:
    first = known("SA001", "a.py", 10, "session.query(User)")
    second = known("SA001", "a.py", 20, "session.query(User)")
    result = track(
        [first, second],
        [
            issue("SA001", "a.py", 12, "session.query(User)"),
            issue("SA001", "a.py", 22, "session.query(User)"),
        ],
    )
    pairs = {(k.line, i.line) for k, i in result.matched}
    assert pairs == {(10, 12), (20, 22)}


def test_rules_do_not_match_across_files() -> None:
    old = known("SA001", "a.py", 10, "session.query(User)")
    result = track([old], [issue("SA001", "b.py", 10, "session.query(User)")])
    assert result.gone == [old] and len(result.new) == 1
