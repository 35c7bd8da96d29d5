from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fake_anthropic import FakeAnthropic


@pytest.fixture
def fake_api(settings: object) -> Iterator[FakeAnthropic]:
    """A scripted Messages API server; settings point the real SDK at it."""
    fake = FakeAnthropic().start()
    settings.ANTHROPIC_API_KEY = "sk-test-not-a-real-key"  # type: ignore[attr-defined]
    settings.ANTHROPIC_BASE_URL = fake.url  # type: ignore[attr-defined]
    settings.ANTHROPIC_MAX_RETRIES = 2  # type: ignore[attr-defined]
    yield fake
    fake.stop()
