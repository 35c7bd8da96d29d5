"""CQ004, CQ005, CQ007: name and value boundaries."""

from __future__ import annotations

import pytest

from reviewer.engine.rules.security import secret_name
from tests.engine.conftest import CheckRule, expected_lines, src


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("SECRET_KEY", True),
        ("db_password", True),
        ("apiKey", True),
        ("authToken", True),
        ("client_secret", True),
        ("token_type", False),
        ("PASSWORD_FIELD", False),
        ("TOKEN_URL", False),
        ("cache_key", False),
        ("primary_key", False),
    ],
)
def test_secret_names_end_in_a_secret_word(name: str, secret: bool) -> None:
    assert secret_name(name) is secret


SECRETS = src(
    """
    API_KEY = "aZ3kQ9mX2pL7vN4wR8tY"  # HIT
    """
)


@pytest.mark.parametrize("path", ["tests/test_api.py", "examples/app.py", "app/settings_dev.py"])
def test_cq004_leaves_tests_examples_and_dev_settings_alone(
    check_rule: CheckRule, path: str
) -> None:
    assert check_rule("CQ004", SECRETS, "app/api.py") == expected_lines(SECRETS)
    assert check_rule("CQ004", SECRETS, path) == []


def test_cq004_message_never_repeats_the_value(tmp_path: object) -> None:
    from pathlib import Path

    from reviewer.engine import review

    root = Path(str(tmp_path))
    (root / "app.py").write_text(SECRETS)
    (issue,) = review(root, rule_ids=["CQ004"], jobs=1).issues
    assert "aZ3kQ9mX2pL7vN4wR8tY" not in issue.message


HASHING = src(
    """
    import hashlib as h

    def store(password):
        return h.md5(password.encode()).hexdigest()  # HIT
    """
)


def test_cq005_follows_import_aliases(check_rule: CheckRule) -> None:
    assert check_rule("CQ005", HASHING) == expected_lines(HASHING)
    renamed = HASHING.replace("password", "payload")
    assert check_rule("CQ005", renamed) == []


STATE = src(
    """
    CACHE = {}

    def outer():
        CACHE = {}

        def inner(key):
            CACHE[key] = 1
        return inner

    def put(key):
        CACHE[key] = 1  # HIT
        CACHE[key + "x"] = 2
    """
)


def test_cq007_respects_an_enclosing_local_and_reports_once(check_rule: CheckRule) -> None:
    assert check_rule("CQ007", STATE) == expected_lines(STATE)
