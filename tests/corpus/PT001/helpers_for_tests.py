def test_connection(url):
    connect(url)
