def test_health(client):
    assert client.get("/health").json() == {"ok": True}


def test_version(client):
    assert client.get("/version").json()["version"]
