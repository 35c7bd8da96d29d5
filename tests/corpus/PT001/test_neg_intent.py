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


async def test_all_targets_granted_passes(validator, action):
    await validator.validate(action)


def test_not_in_channel_counts_as_proof(gateway, run):
    """Verifies a not_in_channel answer passes: membership is fixed by auto-join."""
    run("slack_message_history_read", gateway)
