async def test_two_pages(client):
    first = await client.get("/a")
    second = await client.get("/b")
    assert first.status_code == second.status_code == 200
