import pytest


@pytest.mark.anyio
async def test_client_is_async_here(client):
    assert (await client.get("/orders")).status_code == 200
