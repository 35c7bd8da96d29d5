from fastapi import FastAPI
from fastapi.testclient import TestClient

app = FastAPI()


@app.get("/items")
def items():
    return []


def test_items():
    assert TestClient(app).get("/items").json() == []


def test_items_again():
    assert TestClient(app).get("/items").status_code == 200


def test_openapi():
    assert TestClient(app).get("/openapi.json").status_code == 200
