"""Current model ids and configurable prices; unknown ids refused; thinking blocks go back
unchanged in the tool loop (the local server answers 400 otherwise, as the API does)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from reviewer.agents.budget import Usage
from reviewer.agents.catalog import price_for, resolve_model
from reviewer.agents.pricing import UnknownModelError, batch_prices, merge_json
from reviewer.agents.tasks import run_claude_review
from reviewer.management.commands.agents import Command as AgentsCommand
from reviewer.models import Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo
from tests.fake_anthropic import (
    FakeAnthropic,
    done,
    thinking_block,
    tool_results,
    tool_use,
    tools_reply,
)

ROOT = Path(__file__).resolve().parents[2]


def test_the_aliases_name_current_models_and_every_one_has_prices() -> None:
    for alias in ("sonnet", "opus", "haiku", "inherit"):
        model = resolve_model(alias)
        assert model.startswith("claude-") and model != alias
        price = price_for(model)
        assert set(price) >= {"input", "output", "cache_write", "cache_read", "batch"}
        assert price["cache_read"] < price["input"] < price["cache_write"] < price["output"]
        assert price["batch"] == 0.5
    assert resolve_model("sonnet") == "claude-sonnet-5-5"
    assert resolve_model("opus") == "claude-opus-5-5"
    assert resolve_model("haiku") == "claude-haiku-5-5"
    # A dated snapshot takes its model's prices.
    assert price_for("claude-haiku-4-5-20251001") == price_for("claude-haiku-4-5")
    assert price_for("claude-sonnet-5-5")["cache_read"] == 0.1


def test_an_unknown_model_id_is_refused_not_priced_as_another() -> None:
    with pytest.raises(UnknownModelError, match="unknown model id 'claude-opus-4-0-x'"):
        price_for("claude-opus-4-0-x")
    with pytest.raises(UnknownModelError, match="ANTHROPIC_PRICES_JSON"):
        price_for("gpt-4o")


def test_prices_and_aliases_come_from_the_environment(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "ANTHROPIC_MODEL_SONNET": "claude-sonnet-9",
        "ANTHROPIC_PRICES_JSON": json.dumps(
            {
                "claude-sonnet-9": {
                    "input": 7,
                    "output": 70,
                    "cache_write": 9,
                    "cache_read": 0.7,
                    "batch": 0.4,
                }
            }
        ),
        "REVIEWDECK_DATA_DIR": str(tmp_path),
    }
    code = (
        "import django; django.setup();"
        "from reviewer.agents.catalog import price_for, resolve_model;"
        "m = resolve_model('sonnet'); print(m, price_for(m)['output'], price_for(m)['batch'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert out.stdout.split() == ["claude-sonnet-9", "70.0", "0.4"]
    env["ANTHROPIC_PRICES_JSON"] = '{"claude-x": {"input": "cheap"}}'
    bad = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert bad.returncode != 0 and "input must be a number" in bad.stderr


def test_merge_json_and_batch_prices() -> None:
    table = {"m": {"input": 1.0, "output": 2.0, "batch": 0.5}}
    merged = merge_json(table, '{"m": {"output": 4}, "n": {"input": 2}}', "X")
    assert merged == {"m": {"input": 1.0, "output": 4.0, "batch": 0.5}, "n": {"input": 2.0}}
    assert table["m"]["output"] == 2.0
    for raw, message in [
        ("[1]", "JSON object"),
        ('{"m": {"tip": 1}}', "unknown price kind"),
        ("{", "not valid JSON"),
    ]:
        with pytest.raises(ValueError, match=message):
            merge_json(table, raw, "X")
    half = batch_prices(price_for("claude-opus-5"))
    assert half == {"input": 2.5, "output": 12.5, "cache_write": 3.125, "cache_read": 0.25}
    usage = Usage(input_tokens=1_000_000, output_tokens=100_000)
    usage.cost_usd = Decimal(0)
    assert "batch" not in half


def test_the_current_lineup_and_its_published_prices() -> None:
    # platform.claude.com models overview and pricing pages, checked 2026-12-02.
    assert resolve_model("fable") == "claude-fable-5-2"
    assert {k: v for k, v in price_for("claude-fable-5-2").items() if k != "min_cache_tokens"} == {
        "input": 8,
        "output": 40,
        "cache_write": 10,
        "cache_read": 0.2,
        "batch": 0.5,
    }
    opus, sonnet = price_for(resolve_model("opus")), price_for(resolve_model("sonnet"))
    assert (opus["input"], opus["output"], opus["cache_write"], opus["cache_read"]) == (
        4,
        20,
        5,
        0.2,
    )
    assert (sonnet["input"], sonnet["output"], sonnet["cache_write"], sonnet["cache_read"]) == (
        2,
        10,
        2.5,
        0.1,
    )


class _Answer:
    def __init__(self, **tokens: int) -> None:
        self.__dict__.update(tokens)


def test_haiku_5_5_costs_five_times_more_for_a_prompt_over_100k_tokens() -> None:
    haiku = price_for(resolve_model("haiku"))
    assert (haiku["input"], haiku["output"], haiku["cache_write"], haiku["cache_read"]) == (
        0.1,
        0.5,
        0.125,
        0.01,
    )
    short, long = Usage(), Usage()
    # 90,000 + 10,000 cache reads = 100,000: the lower rate still.
    short.add_response(
        _Answer(input_tokens=90_000, cache_read_input_tokens=10_000, output_tokens=1_000), haiku
    )
    assert short.cost_usd == Decimal("0.0096")  # 9,000 + 100 + 500 millionths
    # One cache write token more puts every kind, output included, at 5x.
    long.add_response(
        _Answer(
            input_tokens=90_000,
            cache_read_input_tokens=10_000,
            cache_creation_input_tokens=1,
            output_tokens=1_000,
        ),
        haiku,
    )
    assert long.cost_usd == Decimal("0.048000625")  # (9,600 + 0.125) x 5 millionths
    # The batch discount halves the prices, not the threshold or the factor.
    half = batch_prices(haiku)
    assert (half["input"], half["long_prompt_tokens"], half["long_prompt_factor"]) == (
        0.05,
        100_000,
        5,
    )


UNKNOWN = """---
name: mystery-model
description: Uses a model nobody priced.
model: claude-mystery-7
---
You review.
"""


@pytest.mark.django_db
def test_agents_check_and_a_scan_refuse_an_unknown_model_before_sending(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    fake_api: FakeAnthropic,
    settings: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "agents"
    folder.mkdir()
    path = folder / "mystery.md"
    path.write_text(UNKNOWN)
    command = AgentsCommand()
    call_command(command, "check", str(path))
    assert command.exit_code == 1
    assert "unknown model id 'claude-mystery-7'" in capsys.readouterr().err
    settings.REVIEWDECK_AGENTS_DIR = str(folder)
    repo = make_repo("svc")
    repo.commit({"app/x.py": "x = 1\n"})
    project = project_factory(repo_url=str(repo.path), agents=["mystery-model"])
    scan, _ = request_scan(project, Scan.Trigger.CLI)
    run_scan(scan.pk)
    run_claude_review(scan.pk)
    scan.refresh_from_db()
    run = scan.agent_runs["mystery-model"]
    assert run["status"] == "failed" and "unknown model id 'claude-mystery-7'" in run["error"]
    assert fake_api.requests == []


@pytest.mark.django_db
def test_thinking_blocks_go_back_unchanged_in_the_tool_loop(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    fake_api: FakeAnthropic,
    settings: Any,
) -> None:
    settings.CLAUDE_THINKING = "2048"
    repo = make_repo("svc")
    repo.commit({"app/db.py": "def load(s, q):\n    return s.execute(f'SELECT {q}')\n"})
    project = project_factory(repo_url=str(repo.path), agents=["python-backend-reviewer"])
    thought = thinking_block("The f-string goes into execute: check where q comes from.")
    fake_api.add(
        tools_reply(thought, tool_use("grep", {"text": "load("})),
        tools_reply(
            {"type": "redacted_thinking", "data": "opaque-bytes"},
            tool_use("read_file", {"path": "app/db.py"}),
        ),
        done(),
    )
    scan, _ = request_scan(project, Scan.Trigger.CLI)
    run_scan(scan.pk)
    run_claude_review(scan.pk)
    scan.refresh_from_db()
    assert scan.agent_runs["python-backend-reviewer"]["status"] == "succeeded"
    second = fake_api.requests[1]["body"]
    assert second["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert second["max_tokens"] > 2048
    assert second["messages"][1]["content"][0] == thought
    third = fake_api.requests[2]["body"]
    assert third["messages"][3]["content"][0] == {
        "type": "redacted_thinking",
        "data": "opaque-bytes",
    }
    assert tool_results(fake_api.requests[2])[0].get("is_error") is not True


def test_the_fake_refuses_a_tool_turn_without_its_thinking(fake_api: FakeAnthropic) -> None:
    import anthropic

    client = anthropic.Anthropic(api_key="k", base_url=fake_api.url, max_retries=0)
    fake_api.add(tools_reply(thinking_block(), tool_use("grep", {"text": "x"})))
    first = client.messages.create(
        model="claude-sonnet-5", max_tokens=10, messages=[{"role": "user", "content": "hi"}]
    )
    call = next(b for b in first.content if b.type == "tool_use")
    with pytest.raises(anthropic.BadRequestError, match="thinking block"):
        client.messages.create(
            model="claude-sonnet-5",
            max_tokens=10,
            messages=[
                {"role": "user", "content": "hi"},
                {
                    "role": "assistant",
                    "content": [{"type": "tool_use", "id": call.id, "name": "grep", "input": {}}],
                },
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "none"}],
                },
            ],
        )
    assert django_settings.ANTHROPIC_PRICES
