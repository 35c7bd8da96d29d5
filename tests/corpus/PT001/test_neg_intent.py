import pytest


@pytest.fixture
async def test_user(db):
    user = await db.create_user("a")
    yield user
    await db.delete_user(user)


class TestInitialize:
    def test_initialize_is_noop(self, store):
        # Should not raise
        store.initialize()

    def test_upload_replaces_bundle(self, sandbox):
        sandbox.upload("skill.md", b"new")
        sandbox.skill_file.wait_for_bytes(b"new")


def test_shutdown_does_not_hang(worker):
    worker.stop(timeout=1)


def test_requires_accepts_valid_versions(cic):
    cic.requires("0.4.0")
    cic.requires("1.2.3")
