def test_create_order(client):
    assert client.post("/orders", json={}).status_code == 201


def test_get_order(client, order):
    assert client.get(f"/orders/{order.id}").status_code == 200


def test_list_orders(client):
    response = client.get("/orders/999")
    assert response.status_code == 404
