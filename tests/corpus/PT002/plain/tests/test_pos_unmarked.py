import pytest


async def test_refund_is_recorded(client):  # HIT
    response = await client.post("/refunds", json={"order": 7})
    assert response.status_code == 201


@pytest.mark.parametrize("amount", [1, 10])
async def test_refund_amounts(client, amount):  # HIT
    response = await client.post("/refunds", json={"order": 7, "amount": amount})
    assert response.status_code == 201


class TestRefundListing:
    @pytest.mark.slow
    async def test_lists_all(self, client):  # HIT
        assert (await client.get("/refunds")).status_code == 200


def test_sync_is_fine(client):
    assert client is not None
