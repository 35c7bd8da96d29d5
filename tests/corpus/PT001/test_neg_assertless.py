import pytest


def test_create(client):
    assert client.post("/users").status_code == 201


def test_missing(client):
    with pytest.raises(KeyError):
        client.lookup("x")


def test_called(mocker, service):
    notify = mocker.patch("app.notify")
    service.run()
    notify.assert_called_once()


def test_helper(client):
    check_status(client.get("/"), 200)


@pytest.mark.skip(reason="todo")
def test_later(client):
    client.get("/")


def test_placeholder():
    pass
