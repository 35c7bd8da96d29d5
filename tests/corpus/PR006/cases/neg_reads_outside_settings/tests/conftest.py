import os

import pytest


@pytest.fixture
def database_url() -> str:
    return os.getenv("TEST_DATABASE_URL", "postgresql://localhost/test")
