import pytest


def test_sync_test_may_use_it(client):
    assert client.get("/orders").status_code == 200


@pytest.mark.anyio
async def test_async_test_gets_the_sync_client(client, seeded_db):  # HIT
    assert client.get("/orders").status_code == 200


@pytest.mark.anyio
async def test_async_client_is_fine(async_client):
    assert (await async_client.get("/orders")).status_code == 200
