from app.text import slugify


def test_slugify_spaces():
    assert slugify("a b") == "a-b"


def test_slugify_case():
    assert slugify("A") == "a"


def test_slugify_unicode():
    assert slugify("é") == "e"
