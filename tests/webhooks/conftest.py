from tests.api.conftest import _fresh_throttles, http, token_for

__all__ = ["_fresh_throttles", "http", "token_for"]
