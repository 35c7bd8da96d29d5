"""Shared fixtures: users of three kinds, projects, real git repositories, a real worker."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client, override_settings

from reviewer.models import Project

pytest_plugins = ["tests.browser"]

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.invalid",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}
ROOT = Path(__file__).resolve().parent.parent


class GitRepo:
    """A real git repository the test writes commits into."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        result = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env={**os.environ, **GIT_ENV},
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout.strip()

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)

    def commit(
        self,
        files: dict[str, str] | None = None,
        message: str = "change",
        *,
        when: datetime | None = None,
        remove: Sequence[str] = (),
    ) -> str:
        """Commit ``files`` (and delete ``remove``); ``when`` dates the commit (author and
        committer), so a history can span months in a test."""
        if files:
            self.write(files)
        for name in remove:
            (self.path / name).unlink()
        self.git("add", "-A")
        dated = {}
        if when is not None:
            stamp = when.isoformat()
            dated = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        subprocess.run(
            ["git", "commit", "-q", "-m", message],
            cwd=self.path,
            env={**os.environ, **GIT_ENV, **dated},
            check=True,
            capture_output=True,
        )
        return self.git("rev-parse", "HEAD")

    def __str__(self) -> str:
        return str(self.path)


@pytest.fixture(scope="session", autouse=True)
def collected_static() -> Iterator[Path]:
    """The product's manifest storage needs collectstatic (as a deployment runs it): once per
    session, into the session's own folder (tests/settings.py), for the web processes the
    tests start; hashed names without compressing every file (seconds per session)."""
    root = Path(settings.STATIC_ROOT)
    manifest = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": manifest}}):
        call_command("collectstatic", interactive=False, verbosity=0)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def migrated_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The data folder of a stopped PostgreSQL cluster holding the product's migrated
    schema. Tests that need a server of their own (to stop or restart it) start a copy,
    ``PostgresServer(template=...)``: a fraction of a second, where initdb and every
    migration took ~3 s of CPU per test."""
    from tests.processes import product_env
    from tests.services import PostgresServer

    pg = PostgresServer().start()
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env=product_env(DATABASE_URL=pg.url),
            check=True,
            capture_output=True,
        )
        pg.stop()
        yield pg.data
    finally:
        pg.close()


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[str], GitRepo]:
    def make(name: str = "repo") -> GitRepo:
        return GitRepo(tmp_path / name)

    return make


@pytest.fixture
def workdir(tmp_path: Path, settings: object) -> Path:
    path = tmp_path / "workdir"
    path.mkdir()
    settings.REVIEWDECK_WORKDIR = path  # type: ignore[attr-defined]
    return path


@pytest.fixture
def readme_layout(tmp_path: Path, settings: object) -> Path:
    """The README's default layout: the data folder ``var/`` (clones in ``var/repos``)
    inside a git checkout whose ``.gitignore`` ignores ``/var/``, like Reviewdeck's own."""
    checkout = tmp_path / "reviewdeck"
    GitRepo(checkout)
    (checkout / ".gitignore").write_text("/var/\n__pycache__/\n")
    data = checkout / "var"
    (data / "repos").mkdir(parents=True)
    settings.DATA_DIR = data  # type: ignore[attr-defined]
    settings.REVIEWDECK_WORKDIR = data / "repos"  # type: ignore[attr-defined]
    return data


@pytest.fixture
def crashing_ruff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``ruff`` first on PATH that aborts (SIGABRT: exit status -6), as ruff did on a
    200 KB ``a + a + ...`` chain."""
    folder = tmp_path / "crashing-bin"
    folder.mkdir()
    script = folder / "ruff"
    script.write_text("#!/bin/sh\nkill -ABRT $$\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    return script


@pytest.fixture
def team(db: None) -> Group:
    return Group.objects.create(name="backend")


@pytest.fixture
def member(team: Group) -> User:
    user = User.objects.create_user("member", password="pw-member-1")
    user.groups.add(team)
    return user


@pytest.fixture
def outsider(db: None) -> User:
    other = Group.objects.create(name="frontend")
    user = User.objects.create_user("outsider", password="pw-outsider-1")
    user.groups.add(other)
    return user


@pytest.fixture
def member_client(member: User) -> Client:
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def outsider_client(outsider: User) -> Client:
    client = Client()
    client.force_login(outsider)
    return client


@pytest.fixture
def project_factory(team: Group) -> Callable[..., Project]:
    def make(name: str = "shop", repo_url: str = "/nonexistent", **kwargs: object) -> Project:
        return Project.objects.create(
            name=name,
            slug=name,
            repo_url=repo_url,
            team=kwargs.pop("team", team),  # type: ignore[misc]
            **kwargs,
        )

    return make


@pytest.fixture
def celery_worker(
    transactional_db: None, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker process on the test Redis and the test PostgreSQL database
    (reviewing with ruff when the test is marked ``ruff``)."""
    from tests.processes import current_database_url, product_env, worker_process

    env = product_env(
        DATABASE_URL=current_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        REVIEWDECK_WORKDIR=str(settings.REVIEWDECK_WORKDIR),
        REVIEWDECK_RUFF="1" if request.node.get_closest_marker("ruff") else "0",
    )
    with worker_process(env, tmp_path / "worker.log") as worker:
        yield worker.proc
