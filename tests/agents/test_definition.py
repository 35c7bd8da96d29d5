"""Agent files: real-world quirks load, malformed files are refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from reviewer.agents.catalog import BUILTIN_DIR, folder_agents, resolve_model
from reviewer.agents.definition import AgentFileError, load_file, parse
from reviewer.engine.registry import AGENT_BY_PREFIX

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_quoted_description_with_escaped_newlines_and_quotes_loads() -> None:
    agent = load_file(FIXTURES / "quoted-description.md")
    assert agent.name == "fastapi-service-reviewer"
    assert agent.model == "inherit" and agent.color == ""
    assert '"I wrote the order endpoints and a migration."' in agent.description
    assert agent.body.startswith("You review FastAPI services")


def test_a_plain_description_that_is_not_valid_yaml_loads_like_claude_code_reads_it() -> None:
    agent = load_file(FIXTURES / "plain-description-with-colons.md")
    assert agent.name == "query-performance-architect"
    assert agent.color == "green"
    assert "Context: The user reports slow list pages." in agent.description
    assert agent.body.endswith("index every foreign key.")


def test_tools_rules_full_model_ids_and_horizontal_rules_in_the_body() -> None:
    agent = load_file(FIXTURES / "long-body-with-rules.md")
    assert agent.tools == ("Read", "Grep", "Glob")
    assert agent.rules == ("PR", "CQ")
    assert agent.model == "claude-sonnet-4-5-20250929"
    assert resolve_model(agent.model) == "claude-sonnet-4-5-20250929"
    assert "name: not-the-name" in agent.body and agent.name == "team-conventions-expert"


def test_crlf_and_byte_order_mark() -> None:
    crlf = load_file(FIXTURES / "crlf-endings.md")
    assert (crlf.name, crlf.model, crlf.body) == ("windows-agent", "haiku", "You review with care.")
    bom = load_file(FIXTURES / "bom.md")
    assert bom.name == "bom-agent"


def test_the_same_text_with_other_line_endings_has_the_same_version() -> None:
    text = (FIXTURES / "quoted-description.md").read_text()
    assert parse(text, "a").version == parse(text.replace("\n", "\r\n"), "b").version
    assert parse(text, "a").version != parse(text + "More.\n", "c").version


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("no-front-matter.md", "no front matter"),
        ("missing-name.md", "no 'name'"),
        ("bad-name.md", "lowercase letters"),
        ("empty-body.md", "empty body"),
        ("unclosed.md", "no front matter"),
        ("bad-rules.md", "not a rule-id prefix"),
        ("list-description.md", "'description' must be text"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_file_and_the_problem(
    name: str, problem: str
) -> None:
    with pytest.raises(AgentFileError) as caught:
        load_file(FIXTURES / "bad" / name)
    assert name in str(caught.value) and problem in str(caught.value)


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_bytes(b"---\nname: a\n\xff\xfe\n---\n")
    with pytest.raises(AgentFileError, match="not UTF-8"):
        load_file(path)


def test_the_builtin_agents_carry_the_rule_packs_the_engine_gives_them() -> None:
    agents, errors = folder_agents(BUILTIN_DIR)
    assert not errors
    by_name = {a.name: a for a in agents}
    assert set(by_name) == set(AGENT_BY_PREFIX.values())
    for name, agent in by_name.items():
        expected = {p for p, owner in AGENT_BY_PREFIX.items() if owner == name and p != "PARSE"}
        assert set(agent.rules) == expected, name
        assert len(agent.body) > 800


def test_model_aliases_map_through_settings(settings: object) -> None:
    settings.ANTHROPIC_MODEL_ALIASES = {  # type: ignore[attr-defined]
        "inherit": "haiku",
        "sonnet": "s-id",
        "haiku": "h-id",
        "opus": "o-id",
    }
    assert resolve_model("inherit") == "h-id"
    assert resolve_model("Sonnet") == "s-id"
    assert resolve_model("claude-x-1") == "claude-x-1"


def test_agents_check_prints_name_model_and_rule_packs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = [
        str(FIXTURES / "long-body-with-rules.md"),
        str(BUILTIN_DIR / "python-backend-reviewer.md"),
    ]
    call_command("agents", "check", *files)
    out = capsys.readouterr().out
    assert "team-conventions-expert" in out and "rule packs: PR, CQ" in out
    assert "python-backend-reviewer" in out and "FA, SA, AL, PD, AS, PT, CQ" in out


def test_agents_check_exits_non_zero_on_a_bad_file(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "agents",
            "check",
            str(FIXTURES / "bom.md"),
            str(FIXTURES / "bad" / "missing-name.md"),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "dashboard.settings",
            "REVIEWDECK_DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 1, result.stderr
    assert "ok:" in result.stdout and "bom-agent" in result.stdout
    assert "missing-name.md: front matter has no 'name'" in result.stderr


@pytest.mark.django_db
def test_agents_list_shows_builtins_and_team_agents(capsys: pytest.CaptureFixture[str]) -> None:
    from django.contrib.auth.models import Group

    from reviewer.agents.models import AgentVersion

    text = (FIXTURES / "quoted-description.md").read_text()
    AgentVersion.objects.create(
        team=Group.objects.create(name="payments"),
        name="fastapi-service-reviewer",
        version=2,
        content=text,
        sha256="x",
    )
    call_command("agents", "list")
    out = capsys.readouterr().out
    assert "python-backend-architect" in out and "[built-in]" in out
    assert "fastapi-service-reviewer" in out and "[team v2 of payments]" in out
