"""Hostile repositories, scanned through the real path (clone, review, record).

One case per row of the hardening issue. Each ends in a clear outcome: the scan finishes
(the bad file is reported or skipped) or fails with a reason a person can act on; nothing
from the repository runs; no file outside the checkout is read.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer.models import Finding, Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo

pytestmark = pytest.mark.django_db

SLEEPY = "import time\n\nasync def handler():\n    time.sleep(1)\n"


def scan_now(project: Project) -> Scan:
    scan, created = request_scan(project, Scan.Trigger.CLI)
    assert created
    run_scan(scan.pk)
    scan.refresh_from_db()
    return scan


def findings(project: Project) -> set[tuple[str, str]]:
    return set(Finding.objects.filter(project=project).values_list("rule_id", "path"))


@pytest.mark.parametrize(
    "url",
    [
        "ext::sh -c touch% {marker}",
        "fd::3",
        "file::{marker}",
        "--upload-pack=touch {marker}",
        "-c core.sshCommand=touch {marker}",
    ],
)
def test_transport_tricks_fail_the_scan_and_run_nothing(
    url: str, tmp_path: Path, workdir: Path, project_factory: Callable[..., Project]
) -> None:
    marker = tmp_path / "pwned"
    # Saved without the form (as the admin or a raw API could): the scan still refuses it.
    project = project_factory(repo_url=url.format(marker=marker))
    scan = scan_now(project)
    assert scan.status == Scan.Status.FAILED
    assert scan.error and "Traceback" not in scan.error
    assert not marker.exists()
    project.refresh_from_db()
    assert project.clone_state == Project.CloneState.ERROR and project.last_error


def test_a_local_path_outside_the_allowed_roots_is_refused(
    tmp_path: Path,
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    settings: object,
) -> None:
    repo = make_repo("secret")
    repo.commit({"app.py": SLEEPY})
    settings.REVIEWDECK_LOCAL_REPO_ROOTS = [str(tmp_path / "allowed")]  # type: ignore[attr-defined]
    project = project_factory(repo_url=str(repo.path))
    scan = scan_now(project)
    assert scan.status == Scan.Status.FAILED
    assert "outside the directories" in scan.error, scan.error
    assert not Finding.objects.filter(project=project).exists()


def test_hooks_and_filters_in_the_repository_never_run(
    tmp_path: Path,
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
) -> None:
    marker = tmp_path / "ran"
    repo = make_repo("r")
    repo.commit({".gitattributes": "*.py filter=evil diff=evil\n", "app.py": SLEEPY})
    # Hooks and filter definitions in the source's .git: a clone or fetch must not run them
    # (git does not copy them, and our git calls disable hooks and filters themselves).
    hook = f"#!/bin/sh\ntouch {marker}\n"
    for name in ("post-checkout", "post-merge", "reference-transaction", "pre-upload"):
        path = repo.path / ".git" / "hooks" / name
        path.write_text(hook)
        path.chmod(0o755)
    repo.git("config", "filter.evil.smudge", f"touch {marker}; cat")
    repo.git("config", "filter.evil.process", f"touch {marker}")
    repo.git("config", "diff.evil.textconv", f"touch {marker}; cat")
    repo.git("config", "core.fsmonitor", f"touch {marker}")
    repo.git("config", "uploadpack.packObjectsHook", f"touch {marker}; git")
    project = project_factory(repo_url=str(repo.path))
    scan = scan_now(project)
    assert scan.status == Scan.Status.SUCCEEDED, scan.error
    assert not marker.exists()
    assert ("AS001", "app.py") in findings(project)


def test_symlinks_out_of_the_checkout_are_never_read(
    tmp_path: Path,
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text(SLEEPY)  # would give AS001 if the scanner followed the link
    repo = make_repo("r")
    repo.commit({"app.py": "x = 1\n"})
    os.symlink(outside, repo.path / "leak.py")
    os.symlink("/etc", repo.path / "etc")
    os.symlink("../../../../../../../../etc/passwd", repo.path / "passwd.py")
    repo.commit(message="links")
    project = project_factory(repo_url=str(repo.path))
    scan = scan_now(project)
    assert scan.status == Scan.Status.SUCCEEDED, scan.error
    paths = {path for _, path in findings(project)}
    assert not {"leak.py", "passwd.py"} & paths
    assert not any(path.startswith("etc/") for path in paths)


def test_submodules_are_not_followed(
    workdir: Path, make_repo: Callable[[str], GitRepo], project_factory: Callable[..., Project]
) -> None:
    inner = make_repo("inner")
    inner.commit({"bad.py": SLEEPY})
    outer = make_repo("outer")
    outer.commit({"app.py": "x = 1\n"})
    outer.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner.path), "sub")
    outer.commit(message="submodule")
    project = project_factory(repo_url=str(outer.path))
    scan = scan_now(project)
    assert scan.status == Scan.Status.SUCCEEDED, scan.error
    assert not any(path.startswith("sub/") for _, path in findings(project))


def test_hostile_python_files_become_findings_or_notes_never_crashes(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    settings: object,
) -> None:
    rng = random.Random(7)
    settings.REVIEWDECK_MAX_FILE_BYTES = 2_000_000  # type: ignore[attr-defined]
    repo = make_repo("r")
    repo.write({"good.py": SLEEPY})
    (repo.path / "random.py").write_bytes(bytes(rng.randrange(256) for _ in range(50_000)))
    (repo.path / "latin1.py").write_bytes("name = 'caf\xe9'\n".encode("latin-1"))
    (repo.path / "long_line.py").write_text("x = " + "1 + " * 2_500_000 + "1\n")  # 10 MB
    (repo.path / "nested.py").write_text("x = " + "(" * 100_000 + ")" * 100_000 + "\n")
    (repo.path / "deep_list.py").write_text("x = " + "[" * 5_000 + "]" * 5_000 + "\n")
    (repo.path / "nul.py").write_bytes(b"x = 1\x00\n")
    repo.commit(message="hostile")
    project = project_factory(repo_url=str(repo.path))
    scan = scan_now(project)
    assert scan.status == Scan.Status.SUCCEEDED, scan.error
    found = findings(project)
    assert ("AS001", "good.py") in found  # the good file is still reviewed
    # The hostile files produce at most a parse finding each; nothing else is made up.
    for rule_id, path in found - {("AS001", "good.py")}:
        assert rule_id == "PARSE001", (rule_id, path)


def test_a_file_over_the_size_limit_is_skipped(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    settings: object,
) -> None:
    settings.REVIEWDECK_MAX_FILE_BYTES = 100_000  # type: ignore[attr-defined]
    repo = make_repo("r")
    repo.write({"small.py": SLEEPY})
    (repo.path / "huge.py").write_text(SLEEPY + "# padding\n" * 20_000)  # 200 KB > limit
    repo.commit(message="big")
    project = project_factory(repo_url=str(repo.path))
    scan = scan_now(project)
    assert scan.status == Scan.Status.SUCCEEDED, scan.error
    assert findings(project) == {("AS001", "small.py")}


@pytest.mark.parametrize("branch", ["main;touch /tmp/x", "$(id)", "--upload-pack=x", "a b"])
def test_branch_names_with_shell_metacharacters_fail_clearly(
    branch: str,
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
) -> None:
    repo = make_repo("r")
    repo.commit({"app.py": SLEEPY})
    project = project_factory(repo_url=str(repo.path), branch=branch)
    scan = scan_now(project)
    assert scan.status == Scan.Status.FAILED
    assert "branch" in scan.error.lower(), scan.error
