from fastapi import FastAPI
from fastapi.testclient import TestClient

app = FastAPI()


@app.get("/echo")
def echo(value: str):
    return {"value": value}


def test_echo():
    assert TestClient(app).get("/echo", params={"value": "x"}).json() == {"value": "x"}
