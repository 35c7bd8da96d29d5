def test_create_user(client):
    assert client.post("/users", json={"email": "a@example.com"}).status_code == 201


def test_create_user_with_invalid_email(client):
    response = client.post("/users", json={"email": "nope"})
    assert response.json()["detail"][0]["loc"] == ["body", "email"]


def test_list_users(client):
    assert client.get("/users").json() == []
