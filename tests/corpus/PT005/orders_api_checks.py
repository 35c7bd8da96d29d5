def check_create_order(client):
    assert client.post("/orders", json={}).status_code == 201


def check_get_order(client):
    assert client.get("/orders/1").status_code == 200


def check_list_orders(client):
    assert client.get("/orders").status_code == 200
