async def test_not_run_in_strict_mode(client):  # HIT
    assert (await client.get("/")).status_code == 200
