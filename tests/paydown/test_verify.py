"""The checks a patch must pass before it is offered, on real reviews and real git."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from reviewer.engine import review
from reviewer.paydown.compare import compare, line_map
from reviewer.paydown.diff import file_diff
from reviewer.paydown.prepare import EVERY_RULE, git_apply_check
from tests.conftest import ROOT, GitRepo

LOOP = "def save(session, rows):\n    for row in rows:\n        session.add(row)\n{tail}"


def test_a_finding_the_patched_code_adds_is_new(tmp_path: Path) -> None:
    before_text = LOOP.format(tail="    session.commit()\n")
    after_text = LOOP.format(tail="        session.commit()\n")
    for name, text in (("before", before_text), ("after", after_text)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "jobs.py").write_text(text)
    before = review(tmp_path / "before", jobs=1, profile=EVERY_RULE).issues
    after = review(tmp_path / "after", jobs=1, profile=EVERY_RULE).issues
    result = compare(before, after, {"jobs.py": line_map(before_text, after_text)})
    assert [i.rule_id for i in result.new] == ["SA009"]
    assert result.removed == []


def test_a_finding_on_a_moved_line_is_the_same_finding(tmp_path: Path) -> None:
    before_text = "import os\n" + LOOP.format(tail="        session.commit()\n")
    after_text = "import os\nimport sys\n\n" + LOOP.format(tail="        session.commit()\n")
    for name, text in (("before", before_text), ("after", after_text)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "jobs.py").write_text(text)
    before = review(tmp_path / "before", jobs=1, profile=EVERY_RULE).issues
    after = review(tmp_path / "after", jobs=1, profile=EVERY_RULE).issues
    assert [i.line for i in before if i.rule_id == "SA009"] != [
        i.line for i in after if i.rule_id == "SA009"
    ]
    result = compare(before, after, {"jobs.py": line_map(before_text, after_text)})
    assert result.new == [] and result.removed == []


def test_git_apply_check_accepts_the_diff_and_refuses_a_changed_original() -> None:
    original = "a = 1\nb = 2\n"
    diff = file_diff("pkg/m.py", original, "a = 1\nb = 3\n")
    assert git_apply_check({"pkg/m.py": original}, diff) is None
    complaint = git_apply_check({"pkg/m.py": "a = 1\nb = 5\n"}, diff)
    assert complaint is not None and "pkg/m.py" in complaint


def test_a_file_without_final_newline_gets_a_diff_git_applies(
    make_repo: Callable[[str], GitRepo],
) -> None:
    repo = make_repo("repo")
    repo.commit({"m.py": "x = 1\ny = 2"})
    diff = file_diff("m.py", "x = 1\ny = 2", "x = 1\ny = 3")
    subprocess.run(["git", "apply", "-"], cwd=repo.path, input=diff.encode(), check=True)
    assert (repo.path / "m.py").read_text() == "x = 1\ny = 3"


MODELS = """\
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Note(Base):
    __tablename__ = "notes"
    id = Column(Integer, primary_key=True)
    text = Column(String(200))
    data = Column(SomeCustomType())
"""


def _paydown(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "paydown", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_command_prints_a_diff_git_applies_and_a_summary(
    make_repo: Callable[[str], GitRepo],
) -> None:
    repo = make_repo("repo")
    repo.commit({"app/models.py": MODELS})
    done = _paydown(str(repo.path), "--kind", "sqlalchemy")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("diff --git a/app/models.py b/app/models.py\n")
    assert "3 of 4 finding(s) removed" in done.stderr
    assert "needs a person: SA002 app/models.py:11:" in done.stderr
    subprocess.run(["git", "apply", "-"], cwd=repo.path, input=done.stdout, text=True, check=True)
    patched = (repo.path / "app/models.py").read_text()
    assert "class Base(DeclarativeBase):" in patched
    assert "text: Mapped[Optional[str]] = mapped_column(String(200))" in patched


def test_the_command_with_one_rule_and_bad_arguments(make_repo: Callable[[str], GitRepo]) -> None:
    repo = make_repo("repo")
    repo.commit({"app/models.py": MODELS})
    done = _paydown(str(repo.path), "--kind", "sqlalchemy", "--rule", "SA004")
    assert done.returncode == 0, done.stderr
    assert "class Base(DeclarativeBase)" in done.stdout and "mapped_column" not in done.stdout
    assert _paydown(str(repo.path), "--kind", "sqlalchemy", "--rule", "PD001").returncode == 2
    assert _paydown(str(repo.path), "--kind", "flask").returncode == 2
    nothing = _paydown(str(repo.path), "--kind", "pydantic")
    assert nothing.returncode == 1 and nothing.stdout == ""
