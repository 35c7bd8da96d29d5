import pytest

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


async def test_module_marked(client):
    assert (await client.get("/")).status_code == 200
