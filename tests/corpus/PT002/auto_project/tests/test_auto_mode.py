async def test_runs_in_auto_mode(client):
    assert (await client.get("/")).status_code == 200


async def test_also_runs(client):
    assert (await client.get("/health")).status_code == 200
