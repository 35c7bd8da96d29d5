"""PT002: where pytest's async configuration can come from."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.engine import review

UNMARKED = "async def test_it(client):\n    assert await client.get('/')\n"


def _flagged(root: Path) -> list[tuple[str, int]]:
    result = review(root, rule_ids=["PT002"], jobs=1)
    return [(i.path, i.line) for i in result.issues]


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_an_unmarked_async_test_with_no_configuration_is_flagged(tmp_path: Path) -> None:
    _tree(tmp_path, {"tests/test_api.py": UNMARKED})
    assert _flagged(tmp_path) == [("tests/test_api.py", 1)]


@pytest.mark.parametrize(
    ("rel", "text"),
    [
        ("setup.cfg", "[tool:pytest]\nasyncio_mode = auto\n"),
        ("tox.ini", "[pytest]\naddopts = --asyncio-mode=auto\n"),
        ("Makefile", "test:\n\tpytest --asyncio-mode auto\n"),
        (".github/workflows/ci.yml", "run: pytest --asyncio-mode=auto\n"),
        ("requirements-dev.txt", "pytest-aio==1.9\n"),
        ("tests/pyproject.toml", '[tool.pytest.ini_options]\nasyncio_mode = "auto"\n'),
    ],
)
def test_auto_mode_from_any_usual_place_quiets_it(tmp_path: Path, rel: str, text: str) -> None:
    _tree(tmp_path, {"tests/test_api.py": UNMARKED, rel: text})
    assert _flagged(tmp_path) == []


def test_configuration_of_a_sibling_folder_does_not_count(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "tests/test_api.py": UNMARKED,
            "other/pytest.ini": "[pytest]\nasyncio_mode = auto\n",
        },
    )
    assert _flagged(tmp_path) == [("tests/test_api.py", 1)]


def test_a_conftest_offering_anyio_backend_quiets_tests_with_fixtures(tmp_path: Path) -> None:
    conftest = "import pytest\n\n@pytest.fixture\ndef anyio_backend():\n    return 'asyncio'\n"
    bare = "async def test_bare():\n    assert True\n"
    _tree(tmp_path, {"tests/conftest.py": conftest, "tests/test_api.py": UNMARKED})
    _tree(tmp_path, {"tests/test_bare.py": bare})
    assert _flagged(tmp_path) == [("tests/test_bare.py", 1)]
