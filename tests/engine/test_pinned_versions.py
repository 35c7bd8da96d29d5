"""Rules about what breaks on Pydantic v2 stay quiet on projects that pin v1."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.engine import review
from reviewer.engine.pinned_versions import pydantic_v1_only

SETTINGS = (
    "from pydantic import BaseSettings\n\n\n"
    "class Settings(BaseSettings):\n    debug: bool = False\n"
)


@pytest.mark.parametrize(
    ("name", "text", "v1"),
    [
        ("requirements.txt", "pydantic==1.10.7\n", True),
        ("requirements-prod.txt", "pydantic[email]>=1.8,<2.0\n", True),
        ("pyproject.toml", '[tool.poetry.dependencies]\npydantic = "^1.10"\n', True),
        ("uv.lock", '[[package]]\nname = "pydantic"\nversion = "1.10.13"\n', True),
        ("requirements.txt", "pydantic==2.9.2\n", False),
        ("requirements.txt", "pydantic-settings==1.0\npydantic>=2\n", False),
        ("pyproject.toml", '[project]\ndependencies = ["pydantic"]\n', False),
    ],
)
def test_the_pinned_major_version_is_read(tmp_path: Path, name: str, text: str, v1: bool) -> None:
    (tmp_path / name).write_text(text)
    assert pydantic_v1_only(tmp_path) is v1


def test_v2_breakage_rules_leave_a_project_pinned_to_v1(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SETTINGS)
    before = {i.rule_id for i in review(tmp_path, rule_ids=["PD005"], jobs=1).issues}
    assert before == {"PD005"}
    (tmp_path / "backend").mkdir()
    (tmp_path / "backend" / "requirements.txt").write_text("pydantic==1.10.7\n")
    after = {i.rule_id for i in review(tmp_path, rule_ids=["PD005"], jobs=1).issues}
    assert after == set()
    # one sign of v2 anywhere keeps the findings: the project is migrating
    (tmp_path / "pyproject.toml").write_text('[project]\ndependencies = ["pydantic==2.8"]\n')
    again = {i.rule_id for i in review(tmp_path, rule_ids=["PD005"], jobs=1).issues}
    assert again == {"PD005"}
