"""Blocking calls in async tests stall only the test's own event loop: not reported."""

import json
import time
from pathlib import Path

import pytest


@pytest.fixture
async def agent_file() -> dict[str, object]:
    with open(Path(__file__).parent / "agent.json") as handle:
        return json.load(handle)


async def test_updated_at_moves_forward(store) -> None:
    first = await store.touch("a")
    time.sleep(1.1)  # distinct timestamps on SQLite
    second = await store.touch("a")
    assert second.updated_at > first.updated_at
