"""The built-in agents follow their seeds; the runtime adds the reporting protocol; an
agent's ``tools:`` line decides its read-only tools; seed-format files load unchanged."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group

from reviewer.agents.catalog import BUILTIN_DIR, installed, team_agents
from reviewer.agents.definition import AgentDefinition, load_file, parse
from reviewer.agents.models import AgentVersion
from reviewer.agents.protocol import protocol_text, system_blocks
from reviewer.agents.tools import READ_TOOLS, read_tools_for, tool_schemas
from reviewer.engine.registry import AGENTS, load_rules
from reviewer.models import Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo
from tests.fake_anthropic import FakeAnthropic, done, tool_results, tool_use, tools_reply

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("python-backend-reviewer", "python-backend-architect", "python-backend-expert-enhanced")
RULE_ID = re.compile(r"\b[A-Z]{2,3}\d{3}\b")
SEEDS = Path(os.environ.get("REVIEWDECK_SEEDS_DIR", "/work/shared/seeds"))


def builtin(name: str) -> AgentDefinition:
    return load_file(BUILTIN_DIR / f"{name}.md")


def headings(agent: AgentDefinition) -> list[str]:
    return [line.lstrip("#").strip() for line in agent.body.splitlines() if line.startswith("#")]


def test_the_builtins_carry_their_seed_names_and_the_engine_agrees() -> None:
    assert sorted(p.stem for p in BUILTIN_DIR.glob("*.md")) == sorted(NAMES)
    assert set(AGENTS) == set(NAMES)
    for name in NAMES:
        agent = builtin(name)
        assert agent.name == name and agent.tools == ("Read", "Grep", "Glob")
        assert {"Severity policy", "Output"} <= set(headings(agent))


def test_every_rule_id_an_agent_or_the_protocol_cites_exists_in_the_registry() -> None:
    known = {r.id for r in load_rules().all()}
    for name in NAMES:
        agent = builtin(name)
        cited = set(RULE_ID.findall(agent.body + agent.description))
        assert cited, name
        assert cited <= known, (name, sorted(cited - known))
        assert set(RULE_ID.findall(protocol_text(agent, READ_TOOLS))) <= known
    # The two ids the old prompts cited: not rules, so no agent may cite them.
    assert not {"PF005", "PR003"} & known


def test_the_reviewer_keeps_the_seed_severity_policy() -> None:
    body = builtin("python-backend-reviewer").body
    policy = body.split("## Severity policy", 1)[1].split("\n## ", 1)[0]
    critical = policy.split("**Critical**", 1)[1].split("**Important**", 1)[0]
    for phrase in ("N+1", "cannot be\n  reversed", "blocking I/O inside async code"):
        assert phrase in critical
    important = policy.split("**Important**", 1)[1].split("**Suggestion**", 1)[0]
    assert "Pydantic v1" in important and "migration debt" in important
    assert "type hints" in policy.split("**Suggestion**", 1)[1]


def test_docs_map_every_seed_item_to_a_heading_of_its_agent_or_say_why_not() -> None:
    text = (ROOT / "docs" / "agents.md").read_text()
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    seen = set()
    rows = 0
    for section in sections:
        name = section.split()[0]
        agent = builtin(name)
        seen.add(name)
        known = headings(agent)
        for line in section.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) != 2 or cells[0] in ("seed item", "---"):
                continue
            rows += 1
            item, covered = cells
            if covered.startswith("left out:"):
                assert len(covered) > len("left out: ") + 10, item
                continue
            assert covered.startswith("§ "), item
            target = covered[2:]
            assert any(h.startswith(target) for h in known), (name, item, target)
    assert seen == set(NAMES) and rows > 150


def test_the_protocol_is_its_own_system_block_after_the_unchanged_body() -> None:
    agent = builtin("python-backend-architect")
    blocks = system_blocks(agent, ("read_file",), shared="<repository-map>x</repository-map>")
    assert blocks[0] == {"type": "text", "text": agent.body}
    protocol = blocks[1]["text"]
    assert blocks[1]["cache_control"] == {"type": "ephemeral"}
    assert "report_finding" in protocol and "`critical`" in protocol and "0 to 100" in protocol
    assert "exactly as it is in the file" in protocol and "read_file reads" in protocol
    assert "grep finds" not in protocol  # only the tools the agent was given
    assert "PF001" in protocol and "SA001" not in protocol  # its own rule packs
    assert protocol.endswith("</repository-map>")
    assert "report_finding" not in agent.body  # the file stays a plain subagent file


@pytest.mark.parametrize(
    ("declared", "tools"),
    [
        ((), READ_TOOLS),
        (("Read", "Grep", "Glob"), READ_TOOLS),
        (("Read",), ("read_file",)),
        (("Read(src/**)", "Bash(git diff:*)", "Edit", "Write"), ("read_file",)),
        (("LS", "grep"), ("list_files", "grep")),
        (("WebFetch",), ()),
    ],
)
def test_the_tools_line_decides_the_read_only_tools(
    declared: tuple[str, ...], tools: tuple[str, ...]
) -> None:
    assert read_tools_for(declared) == tools
    names = [t["name"] for t in tool_schemas(read_tools_for(declared))]
    assert names == [*tools, "report_finding"]


AGENT_WITH_READ_ONLY = """---
name: reader-only
description: Reads files, nothing else.
tools: Read
---
You look for SQL built from strings.
"""


@pytest.mark.django_db
def test_an_agent_gets_only_its_tools_in_a_real_review(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    fake_api: FakeAnthropic,
    settings: Any,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "agents"
    folder.mkdir()
    (folder / "reader-only.md").write_text(AGENT_WITH_READ_ONLY)
    settings.REVIEWDECK_AGENTS_DIR = str(folder)
    repo = make_repo("svc")
    repo.commit({"app/db.py": "def load(s, q):\n    return s.execute(f'SELECT {q}')\n"})
    project = project_factory(repo_url=str(repo.path), agents=["reader-only"])
    fake_api.add(
        tools_reply(
            tool_use("grep", {"text": "SELECT"}), tool_use("read_file", {"path": "app/db.py"})
        ),
        done(),
    )
    scan, _ = request_scan(project, Scan.Trigger.CLI)
    run_scan(scan.pk)
    from reviewer.agents.tasks import run_claude_review

    run_claude_review(scan.pk)
    first = fake_api.requests[0]["body"]
    assert [t["name"] for t in first["tools"]] == ["read_file", "report_finding"]
    assert first["system"][0]["text"] == "You look for SQL built from strings."
    assert "read_file reads" in first["system"][1]["text"]
    grep, read = tool_results(fake_api.requests[1])
    assert grep["is_error"] is True and "not available" in grep["content"]
    assert not read.get("is_error") and "SELECT" in read["content"]
    scan.refresh_from_db()
    assert scan.agent_runs["reader-only"]["status"] == "succeeded"


# Files in the three seeds' formats (written for the test, not copied): a double-quoted
# description with escaped newlines and <example> tags; a plain description holding
# literal "\n" escapes and colons (not valid YAML); a long body with fenced code holding
# "---" and "key: value" lines, and no tools line.
SEED_LIKE = [
    '---\nname: seedlike-quoted\ndescription: "Use this agent to review code. <example>'
    'Context: new endpoints.\\nuser: \\"I added endpoints.\\"\\nassistant: \\"I will '
    'review them.\\"</example>"\nmodel: inherit\n---\n\nYou review backends.\n\n## Output '
    "Format\n\n```markdown\n### Critical Issues\n- [Issue with file:line] - Confidence: X%\n```\n",
    "---\nname: seedlike-plain\ndescription: Use this agent for backends.\\n\\nExamples:\\n"
    '<example>\\nContext: slow pages\\nuser: "it is slow"\\n</example>\nmodel: inherit\n'
    "color: green\n---\n\nYou design fast backends.\n",
    "---\nname: seedlike-long\ndescription: Use this agent to develop Python backends.\n"
    "model: sonnet\ncolor: orange\n---\n\nYou ship fast.\n\n```yaml\n---\nsite_name: x\n"
    "name: not-the-name\n---\n```\n" + "\n".join(f"- rule {n}" for n in range(700)) + "\n",
]


def seed_texts() -> list[tuple[str, str]]:
    texts = [(f"seed-like {n}", text) for n, text in enumerate(SEED_LIKE)]
    if SEEDS.is_dir():  # the real seed files, where this machine has them
        texts += [(p.name, p.read_text()) for p in sorted(SEEDS.glob("*.txt"))]
    return texts


@pytest.mark.django_db
def test_seed_files_load_unchanged_as_team_agents_and_run_with_the_protocol(
    team: Group, tmp_path: Path, settings: Any
) -> None:
    texts = seed_texts()
    for label, text in texts:
        agent = parse(text, label)
        assert agent.body and agent.name, label
        AgentVersion.objects.create(
            team=team,
            name=agent.name,
            version=1,
            content=text,
            sha256=agent.sha256,
            model=agent.model,
            description=agent.description[:2000],
        )
    stored = {item.agent.name: item for item in team_agents([team.pk])}
    assert len(stored) == len({parse(t, x).name for x, t in texts})
    for label, text in texts:
        item = stored[parse(text, label).name]
        assert item.origin == "team" and item.agent.sha256 == parse(text, label).sha256
        blocks = system_blocks(item.agent, read_tools_for(item.agent.tools))
        assert blocks[0]["text"] == item.agent.body  # the body goes out unchanged
        assert "report_finding" in blocks[1]["text"]
    # The same files in the operator's folder: they load there too (replacing a
    # built-in of the same name, as that folder may).
    folder = tmp_path / "seeds"
    folder.mkdir()
    for n, (_, text) in enumerate(texts):
        (folder / f"{n}.md").write_text(text)
    settings.REVIEWDECK_AGENTS_DIR = str(folder)
    agents = installed(team_id=None)
    for label, text in texts:
        assert agents[parse(text, label).name].origin == "folder"
