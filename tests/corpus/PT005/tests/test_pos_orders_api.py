ORDER = {"sku": "A-1", "quantity": 2}


def test_create_order(client):  # HIT
    response = client.post("/orders", json=ORDER)
    assert response.status_code == 201


def test_get_order(client, order):
    response = client.get(f"/orders/{order.id}")
    assert response.json()["id"] == order.id


def test_list_orders(client, order):
    response = client.get("/orders")
    assert len(response.json()) == 1
