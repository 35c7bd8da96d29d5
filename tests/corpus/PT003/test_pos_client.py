import pytest
from fastapi.testclient import TestClient

from app.main import app


@pytest.fixture
def client():
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.anyio
async def test_list_orders(client, seeded_db):  # HIT
    assert client.get("/orders").status_code == 200


@pytest.mark.anyio
async def test_builds_its_own(seeded_db):
    sync_client = TestClient(app)  # HIT
    assert sync_client.get("/orders").status_code == 200


@pytest.mark.asyncio
async def test_annotated(
    api: TestClient,  # HIT
):
    assert api.get("/health").status_code == 200
