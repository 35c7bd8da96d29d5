"""review(): file discovery, hostile input, parse errors, failing rules, filters, order."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.engine import review
from reviewer.engine.context import FileContext, ProjectContext
from reviewer.engine.registry import REGISTRY, Hit, project_rule, rule

BLOCKING = "import time\n\n\nasync def f():\n    time.sleep(1)\n"  # AS001 at line 5


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)


def found(result: object) -> set[tuple[str, str, int]]:
    return {(i.rule_id, i.path, i.line) for i in result.issues}  # type: ignore[attr-defined]


def note_paths(result: object) -> set[str]:
    return {n.path for n in result.notes}  # type: ignore[attr-defined]


def test_review_finds_python_files_and_reports_relative_posix_paths(tmp_path: Path) -> None:
    write(tmp_path, {"app/api/routes.py": BLOCKING, "top.py": BLOCKING, "README.md": "x"})
    result = review(tmp_path)
    assert found(result) == {("AS001", "app/api/routes.py", 5), ("AS001", "top.py", 5)}
    assert result.files_reviewed == 2
    assert result.issues[0].snippet == "    time.sleep(1)"
    assert result.notes == [] and result.unreadable == []


def test_review_skips_virtualenvs_caches_and_build_output(tmp_path: Path) -> None:
    skipped = [".git", ".venv", "venv", "node_modules", "__pycache__", "build", "dist"]
    write(tmp_path, {f"{d}/x.py": BLOCKING for d in skipped})
    write(tmp_path, {"lib/python3.12/site-packages/pkg/x.py": BLOCKING, "src/ok.py": BLOCKING})
    result = review(tmp_path)
    assert found(result) == {("AS001", "src/ok.py", 5)}
    assert result.files_reviewed == 1


def test_a_syntax_error_becomes_parse001_at_its_line(tmp_path: Path) -> None:
    write(tmp_path, {"broken.py": "x = 1\n\ndef f(:\n    pass\n", "ok.py": BLOCKING})
    result = review(tmp_path)
    assert found(result) == {("PARSE001", "broken.py", 3), ("AS001", "ok.py", 5)}
    parse = next(i for i in result.issues if i.rule_id == "PARSE001")
    assert parse.severity == "important" and parse.category == "quality"
    assert parse.agent == "python-backend-reviewer"
    assert "invalid syntax" in parse.message and parse.snippet == "def f(:"
    assert result.files_reviewed == 2
    # Its earlier findings are unknown now, not fixed: tracking must leave them alone.
    assert result.unreadable == ["broken.py"]


def test_a_syntax_error_is_a_note_when_parse001_is_filtered_out(tmp_path: Path) -> None:
    write(tmp_path, {"broken.py": "def f(:\n", "ok.py": BLOCKING})
    result = review(tmp_path, rule_ids=["AS"])
    assert found(result) == {("AS001", "ok.py", 5)}
    assert [(n.path, "syntax error" in n.message) for n in result.notes] == [("broken.py", True)]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        pytest.param(b"x = 1\x00\x01\x02\n", "binary", id="binary_nul_bytes"),
        pytest.param("s = 'caf\xe9'\n".encode("latin-1"), "UTF-8", id="latin1"),
        pytest.param(b"(" * 100_000, "nested", id="deeply_nested_parentheses"),
        pytest.param(b"x = " + b"+".join([b"1"] * 100_000), "complex", id="recursion"),
        pytest.param(b"x = " + b"-" * 100_000 + b"1", "complex", id="parser_stack"),
    ],
)
def test_hostile_files_become_notes_and_the_rest_is_reviewed(
    tmp_path: Path, content: bytes, words: str
) -> None:
    write(tmp_path, {"bad.py": content, "ok.py": BLOCKING})
    result = review(tmp_path)
    assert found(result) == {("AS001", "ok.py", 5)}
    assert len(result.notes) == 1 and result.notes[0].path == "bad.py"
    assert words in result.notes[0].message
    assert result.unreadable == ["bad.py"]
    assert result.files_reviewed == 1


def test_a_fifo_named_like_a_python_file_is_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    write(tmp_path, {"ok.py": BLOCKING})
    result = review(tmp_path)
    assert found(result) == {("AS001", "ok.py", 5)}
    assert [(n.path, n.message) for n in result.notes] == [
        ("pipe.py", "not a regular file, skipped")
    ]


def test_the_engine_imports_without_django() -> None:
    code = (
        "import sys, reviewer.engine, reviewer.engine.report; "
        "sys.exit(any(m.split('.')[0] == 'django' for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, check=False)
    assert done.returncode == 0


def test_a_file_over_the_size_limit_becomes_a_note(tmp_path: Path) -> None:
    write(tmp_path, {"big.py": BLOCKING + "#" * 5000, "ok.py": BLOCKING})
    result = review(tmp_path, max_file_bytes=1000)
    assert found(result) == {("AS001", "ok.py", 5)}
    assert "larger than 1000 bytes" in result.notes[0].message
    assert result.unreadable == ["big.py"]


def test_symlinks_are_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, {"secret.py": BLOCKING})
    root = tmp_path / "repo"
    write(root, {"ok.py": BLOCKING})
    (root / "link.py").symlink_to(outside / "secret.py")
    (root / "linked_dir").symlink_to(outside, target_is_directory=True)
    result = review(root)
    assert found(result) == {("AS001", "ok.py", 5)}
    assert note_paths(result) == {"link.py", "linked_dir"}
    assert all("symbolic link" in n.message for n in result.notes)
    # The same holds when the caller names the files.
    result = review(root, ["link.py", "linked_dir/secret.py", "ok.py"])
    assert found(result) == {("AS001", "ok.py", 5)}
    assert note_paths(result) == {"link.py", "linked_dir/secret.py"}


def test_given_files_are_the_only_ones_reviewed_and_may_not_escape_the_root(
    tmp_path: Path,
) -> None:
    write(tmp_path, {"repo/a.py": BLOCKING, "repo/b.py": BLOCKING, "c.py": BLOCKING})
    result = review(tmp_path / "repo", ["b.py", "../c.py", "/etc/passwd", "gone.py", "b.py"])
    assert found(result) == {("AS001", "b.py", 5)}
    assert note_paths(result) == {"../c.py", "/etc/passwd", "gone.py"}
    assert "gone.py" in result.unreadable


def test_a_missing_root_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        review(tmp_path / "nope")


@pytest.fixture
def crashing_rule() -> Iterator[str]:
    @rule(
        id="CQ990",
        title="Crashes",
        severity="suggestion",
        confidence=50,
        category="quality",
        explanation="A test rule that raises.",
        before="",
        after="",
    )
    def check(ctx: FileContext) -> Iterator[Hit]:
        yield Hit(1, 0, "first")
        raise RuntimeError("boom")

    yield "CQ990"
    REGISTRY.remove("CQ990")


def test_a_failing_rule_becomes_a_note_and_other_rules_still_run(
    tmp_path: Path, crashing_rule: str
) -> None:
    write(tmp_path, {"ok.py": BLOCKING})
    result = review(tmp_path, jobs=1)
    assert found(result) == {("AS001", "ok.py", 5)}
    assert [n.message for n in result.notes] == ["rule CQ990 failed: RuntimeError: boom"]
    assert result.unreadable == ["ok.py"]


def test_results_are_sorted_by_path_line_column_rule(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "b.py": BLOCKING,
            "a.py": "import time\nasync def f():\n    time.sleep(1); time.sleep(2)\n"
            "@app.on_event('startup')\nasync def g():\n    pass\n",
        },
    )
    keys = [(i.path, i.line, i.column, i.rule_id) for i in review(tmp_path).issues]
    assert keys == sorted(keys)
    assert keys[:2] == [("a.py", 3, 4, "AS001"), ("a.py", 3, 19, "AS001")]


def test_filters_by_agent_and_rule_prefix(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a.py": BLOCKING,
            "m.py": "from pydantic import BaseModel\n\nclass M(BaseModel):\n"
            "    class Config:\n        extra = 'forbid'\n",
        },
    )
    assert {i.rule_id for i in review(tmp_path).issues} == {"AS001", "PD001"}
    assert {i.rule_id for i in review(tmp_path, rule_ids=["pd"]).issues} == {"PD001"}
    assert {i.rule_id for i in review(tmp_path, rule_ids=["AS001", "PD"]).issues} == {
        "AS001",
        "PD001",
    }
    assert review(tmp_path, agents=["python-backend-architect"]).issues == []
    assert len(review(tmp_path, agents=["python-backend-reviewer"]).issues) == 2


def test_columns_are_characters_and_lines_follow_the_tokenizer(tmp_path: Path) -> None:
    source = "import time\r\nasync def f():\r\n    s = 'héllo—'; time.sleep(1)\r\n"
    write(tmp_path, {"crlf.py": source.encode("utf-8")})
    write(tmp_path, {"bom.py": b"\xef\xbb\xbf" + BLOCKING.encode()})
    issues = review(tmp_path).issues
    assert [(i.path, i.line, i.column) for i in issues] == [("bom.py", 5, 4), ("crlf.py", 3, 18)]
    assert issues[1].snippet == "    s = 'héllo—'; time.sleep(1)"
    assert issues[1].snippet[issues[1].column :].startswith("time.sleep")


def test_parallel_review_gives_the_same_result_as_serial(tmp_path: Path) -> None:
    write(tmp_path, {f"pkg/m{n:03}.py": BLOCKING for n in range(60)})
    write(tmp_path, {"pkg/broken.py": "def (:\n", "pkg/bin.py": b"\x00"})
    serial = review(tmp_path, jobs=1)
    parallel = review(tmp_path, jobs=2)
    assert parallel.stats["workers"] == 2 and serial.stats["workers"] == 1
    assert parallel.issues == serial.issues and len(serial.issues) == 61
    assert parallel.notes == serial.notes
    assert parallel.unreadable == serial.unreadable == ["pkg/bin.py", "pkg/broken.py"]
    assert parallel.files_reviewed == serial.files_reviewed == 61


def test_project_rules_see_the_whole_tree_and_their_failures_are_notes(tmp_path: Path) -> None:
    @project_rule(
        id="PR990",
        title="Counts files",
        severity="suggestion",
        confidence=100,
        category="project",
        explanation="A test project rule.",
        before="",
        after="",
    )
    def check(ctx: ProjectContext) -> Iterator[Hit]:
        loaded = ctx.file("app/a.py")
        assert loaded is not None and loaded.tree.body
        yield Hit(2, 0, f"{len(ctx.paths)} files", path="Dockerfile")
        yield Hit(5, 4, "in a python file", path="app/a.py")

    @project_rule(
        id="PR991",
        title="Crashes",
        severity="suggestion",
        confidence=100,
        category="project",
        explanation="A failing test project rule.",
        before="",
        after="",
    )
    def crash(ctx: ProjectContext) -> Iterator[Hit]:
        raise ValueError("broken graph")

    try:
        write(
            tmp_path, {"app/a.py": BLOCKING, "app/b.py": "x = 1\n", "Dockerfile": "FROM x\nRUN y\n"}
        )
        result = review(tmp_path, rule_ids=["PR99"])
        assert [(i.path, i.line, i.message, i.snippet) for i in result.issues] == [
            ("Dockerfile", 2, "2 files", "RUN y"),
            ("app/a.py", 5, "in a python file", "    time.sleep(1)"),
        ]
        assert result.issues[0].agent == "python-backend-expert-enhanced"
        assert [n.message for n in result.notes] == ["rule PR991 failed: ValueError: broken graph"]
    finally:
        REGISTRY.remove("PR990")
        REGISTRY.remove("PR991")


def test_file_names_that_are_not_utf8_are_skipped_with_a_note(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.py")
    try:
        (tmp_path / name).write_text(BLOCKING)
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system refuses undecodable names")
    write(tmp_path, {"ok.py": BLOCKING})
    result = review(tmp_path)
    assert found(result) == {("AS001", "ok.py", 5)}
    assert [n.path for n in result.notes] == ["caf\ufffd.py"]
