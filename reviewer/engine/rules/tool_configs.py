"""PR001: tool configuration kept outside pyproject.toml (setup.cfg, tox.ini, .flake8,
.isort.cfg, mypy.ini and the like). Project-convention rules read the repository's own
files through ``reviewer.engine.repo_files``; these modules only judge their content."""

from __future__ import annotations

import re
from collections.abc import Iterator

from reviewer.engine.context import ProjectContext
from reviewer.engine.registry import Hit, project_rule
from reviewer.engine.repo_files import for_project
from reviewer.engine.rules import file_formats as ff

# Sections of setup.cfg / tox.ini that configure a tool pyproject.toml can configure.
_TOOL_SECTION = re.compile(
    r"^(tool:pytest|pytest|flake8|mypy|mypy-.+|isort|tool:isort|coverage:.+|pycodestyle|"
    r"pydocstyle|pylint|pylint\..+|yapf|bandit|codespell)$",
    re.IGNORECASE,
)
# Whole files that exist only to configure one tool, and where that tool's settings go.
_TOOL_FILES = {
    "pytest.ini": "`[tool.pytest.ini_options]`",
    "mypy.ini": "`[tool.mypy]` (per-module sections become `[[tool.mypy.overrides]]`)",
    ".mypy.ini": "`[tool.mypy]` (per-module sections become `[[tool.mypy.overrides]]`)",
    ".isort.cfg": "`[tool.isort]` (or drop isort for ruff's `I` rules)",
    ".coveragerc": "`[tool.coverage.run]` / `[tool.coverage.report]`",
    ".pylintrc": "`[tool.pylint.*]` tables",
    "pylintrc": "`[tool.pylint.*]` tables",
    ".flake8": "nowhere: flake8 cannot read pyproject.toml; ruff implements its rules and "
    "reads `[tool.ruff]`",
}


@project_rule(
    id="PR001",
    title="Tool configuration kept outside pyproject.toml",
    severity="suggestion",
    confidence=90,
    category="project",
    debt_kind="tooling",
    debt_minutes=15,
    explanation=(
        "pytest, mypy, coverage, isort, pylint and ruff all read their settings from "
        "`[tool.*]` tables in pyproject.toml. A repository that also keeps a pytest.ini, a "
        "mypy.ini or tool sections in setup.cfg/tox.ini spreads its configuration over "
        "several files with different syntaxes, and the files silently take precedence "
        "over each other (a stray pytest.ini makes pytest ignore pyproject.toml "
        "altogether). Move each tool's section into pyproject.toml and delete the old "
        "file or section, so there is one place to read and review. flake8 is the "
        "exception that cannot move: replacing it with ruff removes the file."
    ),
    before=("# setup.cfg\n[tool:pytest]\ntestpaths = tests\n\n[mypy]\nstrict = True\n"),
    after=(
        "# pyproject.toml\n"
        "[tool.pytest.ini_options]\n"
        'testpaths = ["tests"]\n'
        "\n"
        "[tool.mypy]\n"
        "strict = true\n"
    ),
)
def check_tool_config_files(ctx: ProjectContext) -> Iterator[Hit]:
    """One finding per root file that holds tool configuration: a single-tool file
    (pytest.ini, mypy.ini, .flake8, ...) with a section, or setup.cfg/tox.ini with tool
    sections (their packaging and tox sections are not tool configuration). It lands on
    the first tool section. ruff.toml is ruff's own first-class file and is left alone."""
    files = for_project(ctx)
    for name, target in _TOOL_FILES.items():
        sections = ff.ini_sections(files.lines(name))
        if sections:
            line = sections[0][0]
            yield Hit(
                line,
                0,
                f"`{name}` configures a tool outside pyproject.toml; its settings belong in "
                f"{target}.",
                path=name,
            )
    for name in ("setup.cfg", "tox.ini"):
        tools = [(n, s) for n, s in ff.ini_sections(files.lines(name)) if _TOOL_SECTION.match(s)]
        if tools:
            listed = ", ".join(f"`[{s}]`" for _, s in tools[:6])
            flake8 = any(s.lower() == "flake8" for _, s in tools)
            yield Hit(
                tools[0][0],
                0,
                f"`{name}` holds tool configuration ({listed}); move it to the matching "
                "`[tool.*]` tables of pyproject.toml"
                + (" (flake8 cannot read pyproject.toml; ruff can replace it)." if flake8 else "."),
                path=name,
            )
