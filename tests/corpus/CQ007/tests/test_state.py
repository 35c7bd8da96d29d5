CALLS = []


def test_records():
    CALLS.append(1)
    assert CALLS
