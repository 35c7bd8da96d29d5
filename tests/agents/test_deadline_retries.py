"""A request under a deadline (the task's soft time limit) never waits past it."""

from __future__ import annotations

import anthropic
import pytest

from reviewer.agents.budget import Deadline
from reviewer.agents.loop import create_message
from tests.fake_anthropic import FakeAnthropic, Status

REQUEST = {
    "model": "claude-sonnet-5-5",
    "max_tokens": 10,
    "messages": [{"role": "user", "content": "hello"}],
}


def test_retries_give_up_before_the_deadline_instead_of_sleeping_past_it(
    fake_api: FakeAnthropic,
) -> None:
    fake_api.when_empty = lambda request: Status(529, "overloaded", "overloaded_error", headers={})
    client = anthropic.Anthropic(api_key="k", base_url=fake_api.url, max_retries=10)
    deadline = Deadline.after(2.5, "time is up")
    with pytest.raises(anthropic.APIStatusError):
        create_message(client, deadline, **REQUEST)
    assert len(fake_api.requests) >= 2  # it did retry an overloaded API
    assert not deadline.passed()  # and stopped when the next pause no longer fit


def test_the_api_says_whether_and_when_to_retry(fake_api: FakeAnthropic) -> None:
    client = anthropic.Anthropic(api_key="k", base_url=fake_api.url, max_retries=3)
    fake_api.when_empty = lambda request: Status(500, "no", headers={"x-should-retry": "false"})
    with pytest.raises(anthropic.APIStatusError):
        create_message(client, Deadline.after(30, "t"), **REQUEST)
    assert len(fake_api.requests) == 1
    fake_api.when_empty = lambda request: Status(400, "bad", "invalid_request_error", headers={})
    with pytest.raises(anthropic.BadRequestError):
        create_message(client, Deadline.after(30, "t"), **REQUEST)
    assert len(fake_api.requests) == 2
    fake_api.when_empty = lambda request: Status(
        429, "slow down", "rate_limit_error", headers={"retry-after-ms": "10"}
    )
    with pytest.raises(anthropic.RateLimitError):
        create_message(client, Deadline.after(30, "t"), **REQUEST)
    assert len(fake_api.requests) == 2 + 4  # one try and three retries, 10 ms apart
