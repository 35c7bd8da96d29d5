from fastapi import status


def test_create(client):
    assert client.post("/items", json={}).status_code == status.HTTP_201_CREATED


def test_read(client):
    assert client.get("/items/1").status_code == status.HTTP_200_OK


def test_read_other_user_item(client):
    assert client.get("/items/2").status_code == status.HTTP_403_FORBIDDEN
