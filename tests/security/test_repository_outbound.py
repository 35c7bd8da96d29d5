"""Repository URLs reach only public addresses unless the operator allows a host, git is
pinned to the checked address, and the page says only "could not reach the repository"."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from reviewer import git
from reviewer.git import reach
from reviewer.git.urls import parse_remote
from reviewer.models import Finding, Project, Scan
from reviewer.outbound import Policy
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo
from tests.security.conftest import ipv6_loopback
from tests.services import free_port

pytestmark = pytest.mark.django_db
STRICT = Policy()
LOOPBACK = Policy.parse(["127.0.0.0/8", "::1/128", "localhost"])
SLEEPY = "import time\n\nasync def handler():\n    time.sleep(1)\n"


class Counter:
    """A TCP listener that counts connections (and says nothing)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self.accepted = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def counter() -> Iterator[Callable[..., Counter]]:
    made: list[Counter] = []

    def make(host: str = "127.0.0.1") -> Counter:
        made.append(Counter(host))
        return made[-1]

    yield make
    for item in made:
        item.close()


@pytest.fixture
def git_daemon(
    make_repo: Callable[[str], GitRepo], tmp_path: Path
) -> Iterator[tuple[int, GitRepo]]:
    """A real `git daemon` on loopback exporting one repository with a finding."""
    repo = make_repo("served")
    repo.commit({"app/handlers.py": SLEEPY})
    port = free_port()
    proc = subprocess.Popen(
        [
            "git",
            "daemon",
            "--reuseaddr",
            "--export-all",
            f"--base-path={tmp_path}",
            "--listen=127.0.0.1",
            f"--port={port}",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull},
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield port, repo
    proc.terminate()
    proc.wait(10)


@pytest.mark.parametrize(
    "template",
    [
        "https://127.0.0.1:{port}/team/app.git",
        "git://127.0.0.1:{port}/app.git",
        "ssh://git@127.0.0.1:{port}/app.git",
        "https://localhost:{port}/app.git",
        "https://0x7f000001:{port}/app.git",
        "https://2130706433:{port}/app.git",
        "https://127.1:{port}/app.git",
        "git://127.0.0.2:{port}/app.git",
    ],
)
def test_loopback_in_any_spelling_is_never_contacted(
    template: str, counter: Callable[..., Counter], tmp_path: Path
) -> None:
    target = counter("127.0.0.1") if "127.0.0.2" not in template else counter("127.0.0.2")
    url = template.format(port=target.port)
    started = time.monotonic()
    with pytest.raises(git.RepoRefusedError) as caught:
        git.sync(url, tmp_path / "clones" / "p", local_roots=[], policy=STRICT, timeout=10)
    assert str(caught.value).endswith(": could not reach the repository")
    assert time.monotonic() - started < 5
    time.sleep(0.2)
    assert target.accepted == 0


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_ipv6_loopback_is_never_contacted(counter: Callable[..., Counter], tmp_path: Path) -> None:
    target = counter("::1")
    for url in (f"https://[::1]:{target.port}/a.git", f"git://[::1]:{target.port}/a.git"):
        with pytest.raises(git.RepoRefusedError):
            git.sync(url, tmp_path / "clones" / "p", local_roots=[], policy=STRICT, timeout=10)
    assert target.accepted == 0


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data.git",
        "https://10.0.0.1/team/app.git",
        "git://192.168.1.1/app.git",
        "https://[fd00::1]/app.git",
        "https://[::ffff:169.254.169.254]/app.git",
        "git@172.16.0.5:team/app.git",
    ],
)
def test_internal_addresses_are_refused_before_connecting(url: str, tmp_path: Path) -> None:
    with pytest.raises(git.RepoRefusedError):
        git.sync(url, tmp_path / "clones" / "p", local_roots=[], policy=STRICT, timeout=10)


def test_an_allowed_git_daemon_is_cloned_through_the_relay(
    git_daemon: tuple[int, GitRepo], tmp_path: Path
) -> None:
    port, repo = git_daemon
    url = f"git://127.0.0.1:{port}/served"
    result = git.sync(url, tmp_path / "clones" / "p", local_roots=[], policy=LOOPBACK)
    assert result.sha == repo.git("rev-parse", "HEAD")
    repo.commit({"b.py": "x = 1\n"})  # the fetch path goes through the relay too
    again = git.sync(url, tmp_path / "clones" / "p", local_roots=[], policy=LOOPBACK)
    assert again.sha == repo.git("rev-parse", "HEAD")


def test_the_scan_refuses_a_loopback_git_daemon_unless_allowed(
    git_daemon: tuple[int, GitRepo],
    workdir: Path,
    project_factory: Callable[..., Project],
    settings: object,
) -> None:
    port, _repo = git_daemon
    project = project_factory(repo_url=f"git://127.0.0.1:{port}/served")
    settings.REVIEWDECK_ALLOWED_PRIVATE_HOSTS = []  # type: ignore[attr-defined]
    scan, _ = request_scan(project, Scan.Trigger.CLI)
    run_scan(scan.pk)
    scan.refresh_from_db()
    project.refresh_from_db()
    assert scan.status == Scan.Status.FAILED
    assert project.last_error.endswith("could not reach the repository")
    assert scan.error.endswith("could not reach the repository")
    assert not Finding.objects.filter(project=project).exists()

    settings.REVIEWDECK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1/32"]  # type: ignore[attr-defined]
    scan, _ = request_scan(project, Scan.Trigger.CLI)
    run_scan(scan.pk)
    scan.refresh_from_db()
    assert scan.status == Scan.Status.SUCCEEDED, scan.error
    assert Finding.objects.filter(project=project, rule_id="AS001").exists()


def test_a_closed_port_and_a_port_that_is_not_tls_look_the_same(
    counter: Callable[..., Counter], tmp_path: Path
) -> None:
    """An allowed host: git's transport detail (refused, reset, not TLS) is not shown."""
    speaking = counter()  # accepts and closes at once: not TLS
    closed = free_port()
    messages = set()
    for port in (speaking.port, closed):
        with pytest.raises(git.RepoError) as caught:
            git.sync(
                f"https://127.0.0.1:{port}/a.git",
                tmp_path / "clones" / "p",
                local_roots=[],
                policy=LOOPBACK,
                timeout=10,
            )
        messages.add(str(caught.value).replace(str(port), "PORT"))
    assert messages == {
        "Could not clone https://127.0.0.1:PORT/a.git: could not reach the repository"
    }
    assert speaking.accepted >= 1


def test_ssh_goes_through_the_relay_to_the_checked_address(
    counter: Callable[..., Counter], tmp_path: Path
) -> None:
    target = counter()
    with pytest.raises(git.RepoError):
        git.sync(
            f"ssh://git@127.0.0.1:{target.port}/a.git",
            tmp_path / "clones" / "p",
            local_roots=[],
            policy=LOOPBACK,
            timeout=20,
        )
    assert target.accepted >= 1  # reached, through ProxyCommand=relay.sh


def test_the_relay_connects_only_to_the_checked_host(counter: Callable[..., Counter]) -> None:
    target = counter()
    env = {
        **os.environ,
        "REVIEWDECK_RELAY_TO": f"checked.example {target.port} 127.0.0.1",
        "REVIEWDECK_RELAY_PYTHON": __import__("sys").executable,
        "REVIEWDECK_RELAY_SCRIPT": str(reach.RELAY_PY),
    }
    for host, port in (("other.example", target.port), ("checked.example", target.port + 1)):
        done = subprocess.run(
            [str(reach.RELAY_SH), host, str(port)],
            env=env,
            input=b"",
            capture_output=True,
            timeout=10,
        )
        assert done.returncode == 1 and b"not the checked host" in done.stderr
    assert target.accepted == 0


def test_https_is_pinned_and_never_follows_redirects() -> None:
    remote = parse_remote("https://localhost:8443/team/app.git", [])
    route = reach.route(remote, LOOPBACK)
    assert route is not None
    assert "http.followRedirects=false" in route.config
    assert "http.curloptResolve=localhost:8443:127.0.0.1" in route.config


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:8000/x.git",
        "https://0x7f000001/x.git",
        "git://localhost/x.git",
        "https://169.254.169.254/x.git",
        "https://[::1]/x.git",
    ],
)
def test_the_add_page_refuses_internal_addresses(url: str, member: User, settings: object) -> None:
    settings.REVIEWDECK_ALLOWED_PRIVATE_HOSTS = []  # type: ignore[attr-defined]
    client = Client()
    client.force_login(member)
    response = client.post(
        "/projects/add/",
        {"name": "internal", "repo_url": url, "branch": "", "team": member.groups.get().pk},
    )
    assert response.status_code == 200
    assert "internal network" in response.content.decode()
    assert not Project.objects.filter(name="internal").exists()
