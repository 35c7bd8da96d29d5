async def test_marked_by_the_conftest_hook(client):
    assert (await client.get("/")).status_code == 200
