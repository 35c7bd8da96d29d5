import unittest

import pytest
import pytest_twisted
from django.test import TestCase


@pytest.mark.asyncio
async def test_marked(client):
    assert (await client.get("/")).status_code == 200


@pytest.mark.anyio
async def test_anyio_marked(client):
    assert (await client.get("/")).status_code == 200


async def test_backend_fixture(anyio_backend):
    assert anyio_backend == "asyncio"


@pytest.mark.asyncio
class TestMarkedClass:
    async def test_in_marked_class(self, client):
        assert (await client.get("/")).status_code == 200


class TestClassMark:
    pytestmark = pytest.mark.asyncio

    async def test_in_class_with_pytestmark(self, client):
        assert (await client.get("/")).status_code == 200


class TestWithUnittest(unittest.IsolatedAsyncioTestCase):
    async def test_runs_under_unittest(self):
        self.assertTrue(True)


class TestDjangoAsync(TestCase):
    async def test_django_runs_it(self):
        self.assertTrue(True)


@pytest_twisted.ensureDeferred
async def test_twisted(reactor):
    assert reactor


async def helper_not_a_test(client):
    return await client.get("/")
