SECRET_KEY = "9f3b1c0e6d2a4b8f9e7c5a3d1b0f2e4c7a9d"


def test_login(client):
    response = client.post("/login", json={"password": "Hunter2!xyz"})
    assert response.status_code == 200
