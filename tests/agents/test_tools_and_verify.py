"""The model's tools never leave the checkout; reported findings are checked against it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviewer.agents.tools import Checkout, ReportedFinding, ToolError
from reviewer.agents.verify import Rejected, Verified, verify

SOURCE = "import time\n\n\nasync def handler():\n    time.sleep(1)\n    return  {'ok':   True}\n"


@pytest.fixture
def checkout(tmp_path: Path) -> Checkout:
    root = tmp_path / "checkout"
    (root / "app").mkdir(parents=True)
    (root / "app" / "api.py").write_text(SOURCE)
    (root / "app" / "other.py").write_text("x = 1\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0 TOP SECRET\n")
    os.symlink(secret, root / "app" / "leak.py")
    os.symlink(tmp_path, root / "outside")
    return Checkout(root)


@pytest.mark.parametrize(
    "path",
    [
        "/etc/passwd",
        "../secret.txt",
        "app/../../secret.txt",
        "app/leak.py",
        "outside/secret.txt",
        "app/api.py\x00.txt",
        "~/.ssh/id_rsa",
        "app\\..\\..\\secret.txt",
        "",
    ],
)
def test_reading_outside_the_checkout_is_refused(checkout: Checkout, path: str) -> None:
    with pytest.raises(ToolError):
        checkout.run("read_file", {"path": path})


def test_grep_and_list_do_not_follow_links_out(checkout: Checkout) -> None:
    listing = checkout.run("list_files", {})
    assert "app/api.py" in listing and "leak" not in listing and "secret" not in listing
    assert "TOP SECRET" not in checkout.run("grep", {"text": "SECRET"})
    with pytest.raises(ToolError):
        checkout.run("grep", {"text": "SECRET", "path": "outside"})


def test_read_file_numbers_lines_and_reads_a_range(checkout: Checkout) -> None:
    text = checkout.run("read_file", {"path": "app/api.py", "start_line": 4, "end_line": 5})
    assert text.splitlines() == ["   4| async def handler():", "   5|     time.sleep(1)"]
    with pytest.raises(ToolError, match="has only 6 lines"):
        checkout.run("read_file", {"path": "app/api.py", "start_line": 90})


def test_malformed_tool_input_is_a_tool_error(checkout: Checkout) -> None:
    with pytest.raises(ToolError, match="start_line"):
        checkout.run("read_file", {"path": "app/api.py", "start_line": "four"})
    with pytest.raises(ToolError, match="must be an object"):
        checkout.run("grep", ["time"])
    with pytest.raises(ToolError, match="not available"):
        checkout.run("run_shell", {"cmd": "id"})


def finding(**changes: object) -> ReportedFinding:
    data: dict[str, object] = {
        "category": "asyncio",
        "severity": "important",
        "confidence": 90,
        "path": "app/api.py",
        "line": 5,
        "code": "time.sleep(1)",
        "title": "Blocking sleep",
        "explanation": "Blocks the event loop.",
    }
    data.update(changes)
    return ReportedFinding.model_validate(data)


ALLOWED = {"app/api.py", "app/other.py", "app/leak.py"}


def test_an_exact_quote_on_the_right_line_is_kept(checkout: Checkout) -> None:
    result = verify(finding(code="   time.sleep(1)  "), checkout, ALLOWED)
    assert isinstance(result, Verified) and result.line == 5 and result.moved_from is None


def test_a_wrong_line_is_moved_to_the_quoted_code(checkout: Checkout) -> None:
    result = verify(finding(line=2), checkout, ALLOWED)
    assert isinstance(result, Verified) and (result.line, result.moved_from) == (5, 2)
    far = verify(finding(line=400), checkout, ALLOWED)
    assert isinstance(far, Verified) and far.line == 5


def test_whitespace_differences_do_not_matter(checkout: Checkout) -> None:
    result = verify(finding(line=6, code="return {'ok': True}"), checkout, ALLOWED)
    assert isinstance(result, Verified) and result.line == 6


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"code": "requests.get(url)"}, "not found"),
        ({"path": "../secret.txt"}, "bad path"),
        ({"path": "/etc/passwd"}, "bad path"),
        ({"path": "app/missing.py"}, "not one of the files"),
        ({"path": "app/leak.py", "code": "root:x:0:0 TOP SECRET"}, "symbolic link"),
        ({"code": "x"}, "not found"),
    ],
)
def test_a_finding_that_does_not_match_the_checkout_is_rejected(
    checkout: Checkout, changes: dict[str, object], reason: str
) -> None:
    result = verify(finding(**changes), checkout, ALLOWED)
    assert isinstance(result, Rejected), result
    assert reason in result.reason
