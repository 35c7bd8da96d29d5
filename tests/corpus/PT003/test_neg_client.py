import pytest
from fastapi.testclient import TestClient
from httpx import ASGITransport, AsyncClient

from app.main import app


@pytest.fixture
def client():
    return TestClient(app)


@pytest.fixture
async def async_client():
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as c:
        yield c


def test_sync_uses_sync_client(client):
    assert client.get("/orders").status_code == 200


@pytest.mark.anyio
async def test_async_uses_async_client(async_client):
    assert (await async_client.get("/orders")).status_code == 200


@pytest.mark.anyio
async def test_mentions_test_client_only_in_text(async_client):
    """TestClient would block here, so AsyncClient it is."""
    TestClient_note = "TestClient"
    assert TestClient_note


@pytest.mark.anyio
async def test_nested_sync_helper(async_client):
    def sync_check():
        return TestClient(app).get("/health").status_code

    assert sync_check
