"""Prompt caching that works: the cached prefix (tools, system, repository map, shared
files) reaches the model's minimum, the conversation is cached turn by turn, and the
cache reads are shown per scan. The local server computes cache usage from the requests
the way the API does (``simulate_cache``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from reviewer.agents.catalog import price_for, resolve_model
from reviewer.agents.pricing import min_cache_tokens
from reviewer.agents.tasks import run_claude_review
from reviewer.models import Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo
from tests.fake_anthropic import FakeAnthropic, done, tool_use, tools_reply

REVIEWER = "python-backend-reviewer"


@pytest.mark.django_db
def test_the_prefix_is_cached_across_conversations_and_turns(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    fake_api: FakeAnthropic,
    settings: Any,
    member_client: Client,
) -> None:
    settings.CLAUDE_CONVERSATION_CHARS = 3000  # several conversations
    floor = min_cache_tokens(price_for(resolve_model("inherit")))
    fake_api.simulate_cache = True
    fake_api.min_cache_tokens = floor
    repo = make_repo("svc")
    files = {
        f"app/mod{n}.py": "".join(f"def f{n}_{i}(x):\n    return x + {i}\n\n\n" for i in range(40))
        for n in range(4)
    }
    repo.commit(files)
    project = project_factory(repo_url=str(repo.path), agents=[REVIEWER])

    def answer(request: dict[str, Any]) -> Any:
        if len(request["body"]["messages"]) == 1:
            return tools_reply(tool_use("grep", {"text": "return x + 1"}))
        return done()

    fake_api.when_empty = answer
    scan, _ = request_scan(project, Scan.Trigger.CLI)
    run_scan(scan.pk)
    run_claude_review(scan.pk)
    scan.refresh_from_db()
    assert scan.agent_runs[REVIEWER]["status"] == "succeeded"

    usage = fake_api.usage_log
    firsts = [
        u for r, u in zip(fake_api.requests, usage, strict=True) if len(r["body"]["messages"]) == 1
    ]
    assert len(firsts) >= 3
    # The first request writes the prefix (above the minimum, so it is cached at all) ...
    assert usage[0]["cache_creation_input_tokens"] >= floor
    # ... every later conversation reads it ...
    for later in firsts[1:]:
        assert later["cache_read_input_tokens"] >= floor
    # ... and a second turn reads the whole first prompt (prefix and the files sent), not
    # only the prefix: the conversation is cached as it grows.
    second = usage[1]
    assert second["cache_read_input_tokens"] == usage[0]["cache_creation_input_tokens"]
    assert second["cache_read_input_tokens"] > firsts[1]["cache_read_input_tokens"]
    system = fake_api.requests[0]["body"]["system"][1]["text"]
    assert "<shared-file path=" in system and "<repository-map>" in system
    reads = sum(u["cache_read_input_tokens"] for u in usage)
    assert scan.cache_read_tokens == reads > scan.input_tokens
    url = reverse("dashboard:scan", kwargs={"slug": project.slug, "scan_id": scan.pk})
    page = member_client.get(url).content.decode()
    assert f"{reads} cache reads" in page
