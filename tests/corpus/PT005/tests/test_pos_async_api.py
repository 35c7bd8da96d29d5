import pytest

pytestmark = pytest.mark.anyio


async def test_signup(async_client):  # HIT
    response = await async_client.post("/users", json={"email": "a@example.com"})
    assert response.status_code == 201


async def test_me(async_client, token):
    response = await async_client.get("/users/me", headers={"Authorization": token})
    assert response.json()["email"] == "a@example.com"


async def test_update_me(async_client, token):
    response = await async_client.patch("/users/me", json={"name": "A"}, headers={"Authorization": token})
    assert response.status_code == 200
