"""Secrets: repository credentials are only referenced by environment variable, reach git
only through its askpass prompt, and never show up in pages, logs or stored errors."""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from reviewer import git as git_layer
from reviewer.git import run, urls
from reviewer.models import Project, Scan
from reviewer.scanning import request_scan, run_scan

TOKEN = "glpat-s3cr3t-t0ken-value"


@pytest.mark.parametrize(
    "url",
    [
        f"https://oauth2:{TOKEN}@gitlab.example.com/team/app.git",
        "https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r.git",
        "ssh://git:hunter2@example.com/o/r.git",
        "deploy:hunter2@example.com:o/r.git",
    ],
)
def test_literal_secrets_are_refused_before_they_are_stored(url: str) -> None:
    with pytest.raises(git_layer.RepoError, match="environment variable") as caught:
        git_layer.validate_stored_repo_url(url, local_roots=[])
    assert "hunter2" not in str(caught.value) and TOKEN not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://oauth2:${GITLAB_TOKEN}@gitlab.example.com/team/app.git",
        "https://${GH_TOKEN}@github.com/o/r.git",
        "https://github.com/o/r.git",
        "git@github.com:o/r.git",
        "ssh://git@example.com/o/r.git",
    ],
)
def test_references_and_plain_urls_are_accepted(url: str) -> None:
    assert git_layer.validate_stored_repo_url(url, local_roots=[]) == url


@pytest.mark.django_db
def test_the_form_and_the_command_refuse_a_token_in_the_url(member_client: Client) -> None:
    url = f"https://oauth2:{TOKEN}@gitlab.example.com/team/app.git"
    response = member_client.post(
        reverse("dashboard:project_add"), {"name": "leaky", "repo_url": url, "branch": ""}
    )
    assert response.status_code == 200
    assert "environment variable" in response.content.decode()
    assert TOKEN not in response.content.decode()
    with pytest.raises(CommandError, match="environment variable"):
        call_command("add_project", "leaky", url)
    assert not Project.objects.filter(name="leaky").exists()


class _AuthRecorder(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self) -> None:
        auth = self.headers.get("Authorization", "")
        _, _, password = base64.b64decode(auth.partition(" ")[2] or "").decode().partition(":")
        if not password:  # git tries an empty password first, like a real host we refuse it
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.end_headers()
            return
        self.seen.append(auth)
        self.send_response(403)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def git_host() -> Iterator[tuple[int, list[str]]]:
    seen: list[str] = []
    handler = type("Recorder", (_AuthRecorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], seen
    server.shutdown()


def test_the_token_reaches_git_only_through_askpass(git_host: tuple[int, list[str]]) -> None:
    port, seen = git_host
    remote = urls.with_credential_refs(
        f"https://oauth2:${{GITLAB_TOKEN}}@127.0.0.1:{port}/team/app.git"
    )
    assert "GITLAB_TOKEN" not in remote.git_url and "$" not in remote.git_url
    remote = urls.resolve_credentials(remote, {"GITLAB_TOKEN": TOKEN})
    # Plain http is refused for real projects; it is allowed here only to watch the wire.
    done = run.run(
        ["-c", "protocol.http.allow=always", "ls-remote", remote.git_url.replace("https", "http")],
        cwd=None,
        deadline=run.Deadline(20),
        doing="listing",
        askpass=remote.credentials,
    )
    assert done.returncode != 0  # the fake host answers 403 once it has the credentials
    assert seen, "git never sent credentials"
    assert [base64.b64decode(s.split()[1]).decode() for s in seen] == [f"oauth2:{TOKEN}"]
    assert TOKEN not in done.stderr


@pytest.mark.django_db
def test_a_missing_variable_fails_the_scan_with_its_name_only(
    workdir: Path,
    project_factory: Callable[..., Project],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REVIEWDECK_TEST_UNSET_TOKEN", raising=False)
    project = project_factory(
        repo_url="https://oauth2:${REVIEWDECK_TEST_UNSET_TOKEN}@127.0.0.1:9/team/app.git"
    )
    scan, _ = request_scan(project)
    run_scan(scan.pk)
    scan.refresh_from_db()
    assert scan.status == Scan.Status.FAILED
    assert "REVIEWDECK_TEST_UNSET_TOKEN" in scan.error and "not set" in scan.error


@pytest.mark.django_db
def test_a_rejected_token_appears_nowhere(
    workdir: Path,
    project_factory: Callable[..., Project],
    member_client: Client,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    git_host: tuple[int, list[str]],
    settings: object,
) -> None:
    port, _ = git_host
    monkeypatch.setenv("REVIEWDECK_TEST_TOKEN", TOKEN)
    settings.ANTHROPIC_API_KEY = "sk-ant-api03-not-for-pages"  # type: ignore[attr-defined]
    caplog.set_level(logging.DEBUG)
    project = project_factory(
        repo_url=f"https://oauth2:${{REVIEWDECK_TEST_TOKEN}}@127.0.0.1:{port}/team/app.git"
    )
    scan, _ = request_scan(project)
    run_scan(scan.pk)
    scan.refresh_from_db()
    project.refresh_from_db()
    assert scan.status == Scan.Status.FAILED  # https to a plain-http host: never connects
    pages = [
        member_client.get(reverse("dashboard:projects")),
        member_client.get(project.get_absolute_url()),
    ]
    for text in [scan.error, project.last_error, caplog.text, *(p.content.decode() for p in pages)]:
        assert TOKEN not in text
        assert "sk-ant-api03-not-for-pages" not in text
