import pytest


def test_create_user(client):  # HIT
    client.post("/users", json={"name": "a"})


async def test_list(client):  # HIT
    await client.get("/users")


class TestOrders:
    def test_cancel(self, client):  # HIT
        response = client.post("/orders/1/cancel")
        print(response)


def test_user_fixture_like_name(db):  # HIT
    # creates a user and nothing else
    db.create_user("a")


def test_rejects_bad_payload(client):
    with pytest.raises(ValueError):
        client.post("/users", json={"name": ""})


def test_accepted_payload_is_stored(client):  # HIT
    client.post("/users", json={"name": "a"})


class TestExport:
    def _export(self, client) -> object:
        return client.get("/export")

    def test_export_runs(self, client):  # HIT
        self._export(client)
