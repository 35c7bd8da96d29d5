def test_me(client):
    assert client.get("/users/me", cookies={"key": "k"}).json() == {"username": "k"}


def test_me_no_key(client):
    assert client.get("/users/me").json() == {"msg": "Create an account first"}


def test_me_again(client):
    assert client.get("/users/me", cookies={"key": "k"}).status_code == 200
