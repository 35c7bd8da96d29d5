def test_create(client):
    assert client.post("/items", json={}).ok


def test_read(client):
    assert client.get("/items/1").ok


def test_read_archived(client):
    response = client.get("/items/archived")
    assert not response.ok
