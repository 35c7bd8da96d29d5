import pytest
from myframework.testing import TestClient


@pytest.mark.asyncio
async def test_framework_client():
    client = TestClient()
    assert await client.ping()
