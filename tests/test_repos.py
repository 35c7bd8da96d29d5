"""The hardened git layer (``reviewer.git``) against real git repositories. No database."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reviewer import git as git_layer
from reviewer.git import RepoError, RepoTimeoutError
from reviewer.git import clone as git_clone
from reviewer.git import run as git_run
from reviewer.git.urls import Remote
from reviewer.outbound import Policy

LOOPBACK = Policy.parse(["127.0.0.0/8", "::1/128", "localhost"])

AUTHOR_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.invalid",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}

REPO_LOCATION_ENV = {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"}


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    inherited = {k: v for k, v in os.environ.items() if k not in REPO_LOCATION_ENV}
    result = subprocess.run(
        ["git", "-c", "protocol.file.allow=always", "-c", f"core.hooksPath={os.devnull}", *args],
        cwd=cwd,
        env={**inherited, **AUTHOR_ENV, **(env or {})},
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


class Source:
    """A repository the test commits into and Reviewdeck clones from."""

    def __init__(self, path: Path, *, bare: bool = False) -> None:
        self.path = path
        path.mkdir(parents=True)
        git(path, "init", "-q", "-b", "main", *(["--bare"] if bare else []))

    def commit(
        self, files: dict[str, str] | None = None, message: str = "change", date: str = ""
    ) -> str:
        for name, text in (files or {}).items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        git(self.path, "add", "-A")
        env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else None
        git(self.path, "commit", "-q", "--allow-empty", "-m", message, env=env)
        return self.head()

    def head(self) -> str:
        return git(self.path, "rev-parse", "HEAD")


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """The only directory local repositories may come from."""
    path = tmp_path / "sources"
    path.mkdir()
    return path


@pytest.fixture
def clones(tmp_path: Path) -> Path:
    path = tmp_path / "clones"
    path.mkdir()
    return path


@pytest.fixture
def source(sources: Path) -> Source:
    repo = Source(sources / "app")
    repo.commit({"app.py": "print('hello')\n", "README.md": "hi\n"}, "initial")
    return repo


def sync(url: str | Path, dest: Path, branch: str = "", **kwargs: object) -> git_layer.SyncResult:
    kwargs.setdefault("local_roots", [dest.parent.parent / "sources"])
    kwargs.setdefault("timeout", 30)
    kwargs.setdefault("policy", LOOPBACK)  # the tests' git servers listen on loopback
    return git_layer.sync(str(url), dest, branch, **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# sync: the happy paths
# --------------------------------------------------------------------------------------


def test_clone_records_head_sha_branch_and_date(source: Source, clones: Path) -> None:
    result = sync(source.path, clones / "p1")

    assert result.sha == source.head()
    assert result.branch == "main"
    assert result.commit_date.tzinfo is not None
    assert abs(result.commit_date - datetime.now(UTC)) < timedelta(minutes=5)
    assert (clones / "p1" / "app.py").read_text() == "print('hello')\n"
    # no half-finished leftovers beside the clone
    assert sorted(p.name for p in clones.iterdir()) == [".p1.lock", "p1"]


def test_second_sync_moves_to_new_commit_and_cleans_the_checkout(
    source: Source, clones: Path
) -> None:
    first = sync(source.path, clones / "p1")
    (clones / "p1" / "app.py").write_text("local edit\n")
    (clones / "p1" / "stray.py").write_text("untracked\n")
    second_sha = source.commit({"new.py": "x = 1\n"}, "second")

    second = sync(source.path, clones / "p1")

    assert second.sha == second_sha != first.sha
    assert second.branch == "main"
    assert (clones / "p1" / "new.py").exists()
    assert (clones / "p1" / "app.py").read_text() == "print('hello')\n"
    assert not (clones / "p1" / "stray.py").exists()


def test_sync_of_a_given_branch(source: Source, clones: Path) -> None:
    git(source.path, "checkout", "-q", "-b", "feature/x")
    feature_sha = source.commit({"feature.py": "y = 2\n"}, "feature")
    git(source.path, "checkout", "-q", "main")

    result = sync(source.path, clones / "p1", "feature/x")

    assert (result.sha, result.branch) == (feature_sha, "feature/x")
    assert (clones / "p1" / "feature.py").exists()

    # the existing clone can switch to another branch, then follow it
    result = sync(source.path, clones / "p1", "main")
    assert (result.sha, result.branch) == (source.head(), "main")
    assert not (clones / "p1" / "feature.py").exists()


def test_default_branch_is_followed_on_update(source: Source, clones: Path) -> None:
    sync(source.path, clones / "p1")
    git(source.path, "checkout", "-q", "-b", "trunk")
    trunk_sha = source.commit({"t.py": "t = 1\n"}, "on trunk")

    result = sync(source.path, clones / "p1")

    assert (result.sha, result.branch) == (trunk_sha, "trunk")


def test_bare_repository_and_file_url(sources: Path, source: Source, clones: Path) -> None:
    bare = sources / "bare.git"
    git(sources, "clone", "-q", "--bare", str(source.path), str(bare))

    assert sync(bare, clones / "p1").sha == source.head()
    assert sync(f"file://{bare}", clones / "p2").sha == source.head()


def test_unknown_branch_is_named(source: Source, clones: Path) -> None:
    with pytest.raises(RepoError, match="Branch 'nope' does not exist"):
        sync(source.path, clones / "p1", "nope")
    assert not (clones / "p1").exists()

    sync(source.path, clones / "p1")  # and on an existing clone
    with pytest.raises(RepoError, match="Branch 'nope' does not exist"):
        sync(source.path, clones / "p1", "nope")


def test_tag_is_not_a_branch(source: Source, clones: Path) -> None:
    git(source.path, "tag", "v1")
    with pytest.raises(RepoError, match="Branch 'v1' does not exist"):
        sync(source.path, clones / "p1", "v1")


def test_empty_repository(sources: Path, clones: Path) -> None:
    empty = Source(sources / "empty")
    with pytest.raises(RepoError, match="The repository is empty: nothing to scan"):
        sync(empty.path, clones / "p1")
    assert not (clones / "p1").exists()


def test_repository_emptied_after_clone_fails_cleanly(sources: Path, clones: Path) -> None:
    bare, _work = _bare_with_main(sources)
    sync(bare, clones / "p1")
    git(bare, "update-ref", "-d", "refs/heads/main")

    with pytest.raises(RepoError, match="The repository is empty"):
        sync(bare, clones / "p1")
    assert (clones / "p1" / "a.py").exists()  # the last good checkout stays


def _bare_with_main(sources: Path) -> tuple[Path, Source]:
    bare = Source(sources / "bare.git", bare=True)
    work = Source(sources / "work")
    work.commit({"a.py": "a = 1\n"})
    git(work.path, "push", "-q", str(bare.path), "main")
    return bare.path, work


def test_default_branch_that_does_not_exist(sources: Path, clones: Path) -> None:
    bare, _work = _bare_with_main(sources)
    git(bare, "symbolic-ref", "HEAD", "refs/heads/gone")

    with pytest.raises(RepoError, match=r"default branch of .* does not exist: choose a branch"):
        sync(bare, clones / "p1")
    assert sync(bare, clones / "p1", "main").branch == "main"


def test_detached_remote_head(sources: Path, clones: Path) -> None:
    """HEAD on a commit that no branch points at: checked out detached, branch ""."""
    bare, work = _bare_with_main(sources)

    def detach_remote_head_on_new_commit() -> str:
        sha = work.commit({"b.py": work.head()})
        git(work.path, "push", "-q", str(bare), "HEAD:refs/heads/tmp")
        git(bare, "update-ref", "--no-deref", "HEAD", sha)
        git(bare, "update-ref", "-d", "refs/heads/tmp")
        return sha

    first_sha = detach_remote_head_on_new_commit()
    first = sync(bare, clones / "p1")
    assert (first.sha, first.branch) == (first_sha, "")

    second_sha = detach_remote_head_on_new_commit()
    second = sync(bare, clones / "p1")
    assert (second.sha, second.branch) == (second_sha, "")


def test_url_change_reclones(sources: Path, source: Source, clones: Path) -> None:
    other = Source(sources / "other")
    other_sha = other.commit({"other.py": "o = 1\n"})
    sync(source.path, clones / "p1")

    result = sync(other.path, clones / "p1")

    assert result.sha == other_sha
    assert not (clones / "p1" / "app.py").exists()


def test_inherited_git_environment_is_ignored(
    tmp_path: Path, source: Source, clones: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker started from a git hook (GIT_DIR, GIT_INDEX_FILE...) still syncs its clone."""
    decoy = Source(tmp_path / "decoy")
    decoy.commit({"decoy.py": ""})
    monkeypatch.setenv("GIT_DIR", str(decoy.path / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(decoy.path))
    monkeypatch.setenv("GIT_INDEX_FILE", str(decoy.path / ".git" / "index"))

    result = sync(source.path, clones / "p1")
    source.commit({"b.py": ""})
    result = sync(source.path, clones / "p1")

    assert result.sha == source.head()
    assert not (clones / "p1" / "decoy.py").exists()


# --------------------------------------------------------------------------------------
# Crashes and bad destinations
# --------------------------------------------------------------------------------------


def test_half_finished_clone_is_removed_and_retried(source: Source, clones: Path) -> None:
    dest = clones / "p1"
    (dest / ".git" / "objects").mkdir(parents=True)  # a clone killed half-way
    (dest / ".git" / "config").write_text("[core\nbroken")
    leftover = clones / ".p1.tmp-abc123"
    (leftover / ".git").mkdir(parents=True)

    result = sync(source.path, dest)

    assert result.sha == source.head()
    assert (dest / "app.py").exists()
    assert not leftover.exists()


def test_stale_git_locks_from_a_killed_fetch_are_cleared(source: Source, clones: Path) -> None:
    sync(source.path, clones / "p1")
    (clones / "p1" / ".git" / "index.lock").write_text("")
    (clones / "p1" / ".git" / "shallow.lock").write_text("")
    new_sha = source.commit({"n.py": ""})

    assert sync(source.path, clones / "p1").sha == new_sha


def test_existing_directory_that_is_not_a_clone_is_not_overwritten(
    source: Source, clones: Path
) -> None:
    (clones / "p1").mkdir()
    (clones / "p1" / "precious.txt").write_text("keep me")

    with pytest.raises(RepoError, match="not a clone"):
        sync(source.path, clones / "p1")
    assert (clones / "p1" / "precious.txt").read_text() == "keep me"


def test_destination_that_is_a_file_is_refused(source: Source, clones: Path) -> None:
    (clones / "p1").write_text("not a directory")
    with pytest.raises(RepoError, match="not a directory"):
        sync(source.path, clones / "p1")


def test_destination_must_stay_in_the_workdir(source: Source, clones: Path) -> None:
    roots = [source.path]
    with pytest.raises(RepoError, match=r"'\.\.'"):
        sync(source.path, clones / ".." / "escape", local_roots=roots)
    with pytest.raises(RepoError, match="inside the work directory"):
        sync(source.path, clones / "p1", workdir=clones / "elsewhere", local_roots=roots)
    with pytest.raises(RepoError, match="inside the work directory"):
        sync(source.path, clones, workdir=clones, local_roots=roots)
    with pytest.raises(RepoError, match="absolute"):
        sync(source.path, Path("relative/p1"), local_roots=roots)
    assert sync(source.path, clones / "p1", workdir=clones).sha == source.head()


def test_shallow_clone_on_request(source: Source, clones: Path) -> None:
    first = source.head()
    source.commit({"b.py": ""})
    result = sync(source.path, clones / "p1", depth=1)

    assert result.sha == source.head()
    assert git(clones / "p1", "rev-list", "--count", "HEAD") == "1"
    with pytest.raises(RepoError, match="not in the clone"):
        git_layer.changed_paths(clones / "p1", first, result.sha)


# --------------------------------------------------------------------------------------
# Nothing from the repository runs; nothing outside is followed
# --------------------------------------------------------------------------------------

MARKER_HOOK = "#!/bin/sh\ntouch '{marker}'\n"


def _hook(path: Path, marker: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(MARKER_HOOK.format(marker=marker))
    path.chmod(0o755)


def test_hooks_never_run(
    tmp_path: Path, source: Source, clones: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "hook-ran"
    # in the source repository
    for name in ("post-checkout", "post-merge", "pre-upload", "reference-transaction"):
        _hook(source.path / ".git" / "hooks" / name, marker)
    # in a clone template and a global hooksPath the worker's environment might carry
    templates = tmp_path / "templates"
    _hook(templates / "hooks" / "post-checkout", marker)
    global_hooks = tmp_path / "global-hooks"
    _hook(global_hooks / "post-checkout", marker)
    _hook(global_hooks / "reference-transaction", marker)
    global_config = tmp_path / "gitconfig"
    global_config.write_text(f"[core]\n\thooksPath = {global_hooks}\n")
    monkeypatch.setenv("GIT_TEMPLATE_DIR", str(templates))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(global_config))

    sync(source.path, clones / "p1")
    assert not marker.exists()
    assert not (clones / "p1" / ".git" / "hooks" / "post-checkout").exists()

    # a hook planted into the clone itself does not run on the next sync either
    _hook(clones / "p1" / ".git" / "hooks" / "post-checkout", marker)
    source.commit({"c.py": ""})
    assert sync(source.path, clones / "p1").sha == source.head()
    assert not marker.exists()


def test_submodules_are_not_followed(sources: Path, source: Source, clones: Path) -> None:
    library = Source(sources / "library")
    library.commit({"secret.py": "TOKEN = 1\n"})
    git(source.path, "submodule", "add", "-q", str(library.path), "vendor/lib")
    source.commit(message="add submodule")

    sync(source.path, clones / "p1")
    source.commit({"d.py": ""})
    sync(source.path, clones / "p1")

    lib = clones / "p1" / "vendor" / "lib"
    assert (clones / "p1" / ".gitmodules").exists()
    assert not lib.exists() or list(lib.iterdir()) == []
    assert not (clones / "p1" / ".git" / "modules").exists()


def test_lfs_and_other_filters_from_gitattributes_do_not_run(
    tmp_path: Path, source: Source, clones: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "filter-ran"
    global_config = tmp_path / "gitconfig"
    global_config.write_text(
        f"[filter \"evil\"]\n\tsmudge = touch '{marker}'; cat\n"
        f"[filter \"lfs\"]\n\tsmudge = touch '{marker}'; cat\n\trequired = true\n"
    )
    source.commit({".gitattributes": "*.py filter=evil\n*.bin filter=lfs\n", "x.bin": "x"})
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(global_config))

    sync(source.path, clones / "p1")

    assert not marker.exists()
    assert (clones / "p1" / "x.bin").read_text() == "x"


# --------------------------------------------------------------------------------------
# URL validation
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/org/repo.git",
        "https://github.com/org/repo",
        "https://token@gitlab.example.com:8443/group/sub/repo.git",
        "ssh://git@github.com/org/repo.git",
        "ssh://git@[::1]:2222/org/repo.git",
        "git+ssh://git@host.example/org/repo",
        "git@github.com:org/repo.git",
        "deploy@10.0.0.5:/srv/git/repo.git",
        "github-alias:org/repo.git",
        "git://git.kernel.org/pub/scm/git/git.git",
    ],
)
def test_network_urls_accepted(url: str) -> None:
    assert git_layer.validate_repo_url(f"  {url} ", local_roots=[]) == url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Enter a repository URL"),
        ("   ", "Enter a repository URL"),
        ("ext::sh -c touch% /tmp/pwned", "Transport 'ext::' is not allowed"),
        ("fd::17", "Transport 'fd::' is not allowed"),
        ("fd::3,4/x", "Transport 'fd::' is not allowed"),
        ("foo::https://github.com/org/repo", "Transport 'foo::' is not allowed"),
        ("EXT::sh -c id", "Transport 'EXT::' is not allowed"),
        ("http://github.com/org/repo.git", "use https://"),
        ("ftp://example.com/repo.git", "Scheme 'ftp://' is not allowed"),
        ("evil://example.com/repo.git", "Scheme 'evil://' is not allowed"),
        ("-upload-pack=touch /tmp/pwned", "cannot start with '-'"),
        ("--upload-pack=touch /tmp/pwned", "cannot start with '-'"),
        ("-oProxyCommand=touch /tmp/pwned:x", "cannot start with '-'"),
        ("ssh://-oProxyCommand=touch%20x/repo", "invalid host"),
        ("ssh://git@-oProxyCommand=x/repo", "invalid host"),
        ("user@-oProxyCommand=x:repo", "invalid host"),
        ("-user@host:repo", "cannot start with '-'"),
        ("git@host:-repo", "cannot start with '-'"),
        ("https://github.com/org/repo\n.git", "control characters"),
        ("https://github.com/org/repo.git\n", "control characters"),
        ("https://github.com/org/re\x00po", "control characters"),
        ("https://github.com/\torg/repo", "control characters"),
        ("https://github.com:notaport/org/repo", "malformed"),
        ("https:///org/repo", "no host"),
        ("https://github.com/", "no repository path"),
    ],
)
def test_bad_urls_refused(url: str, message: str) -> None:
    with pytest.raises(RepoError, match=message.replace("(", r"\(")):
        git_layer.validate_repo_url(url, local_roots=[Path("/")])


def test_ext_transport_is_refused_and_runs_nothing(tmp_path: Path, clones: Path) -> None:
    marker = tmp_path / "pwned"
    url = f"ext::sh -c touch% {marker}"
    with pytest.raises(RepoError, match="Transport 'ext::' is not allowed"):
        sync(url, clones / "p1", local_roots=[Path("/")])
    assert not marker.exists()
    assert not (clones / "p1").exists()


@pytest.mark.parametrize("url", ["ext::sh -c touch% {marker}", "-u{marker}"])
def test_git_itself_refuses_other_transports_if_validation_were_bypassed(
    tmp_path: Path, clones: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    """Defence in depth: GitPython's guards and protocol.allow=never hold even when
    validation is skipped."""
    marker = tmp_path / "pwned"
    url = url.format(marker=marker)
    monkeypatch.setattr(
        git_clone, "parse_remote", lambda url, roots: Remote(url=url, git_url=url, local=False)
    )
    with pytest.raises(RepoError):
        sync(url, clones / "p1", local_roots=[])
    assert not marker.exists()
    assert not (clones / "p1").exists()


def test_git_refuses_the_ext_transport_past_the_guard(tmp_path: Path, clones: Path) -> None:
    """Under GitPython's guard, git's own protocol.allow=never still refuses ``ext::``."""
    marker = tmp_path / "pwned"
    done = git_run.run(
        ["ls-remote", "--", f"ext::sh -c touch% {marker}"],
        cwd=clones,
        deadline=git_run.Deadline(20),
        doing="listing",
    )
    assert done.returncode != 0
    assert "transport 'ext' not allowed" in done.stderr
    assert not marker.exists()


@pytest.mark.parametrize(
    ("args", "url"),
    [
        (["fetch", "--upload-pack=touch /tmp/x", "origin"], ""),
        (["fetch", "--upl=touch /tmp/x", "origin"], ""),
        (["clone", "-uX", "a", "b"], ""),
        (["ls-remote", "--", "fd::3"], "fd::3"),
    ],
)
def test_gitpython_guards_refuse_program_running_options_and_helpers(
    clones: Path, args: list[str], url: str
) -> None:
    with pytest.raises(RepoError, match="Refused to run git"):
        git_run.run(args, cwd=clones, deadline=git_run.Deadline(5), doing="x", url=url)


def test_local_paths_need_an_allowed_root(tmp_path: Path, sources: Path, source: Source) -> None:
    elsewhere = Source(tmp_path / "elsewhere")
    elsewhere.commit({"a.py": ""})

    with pytest.raises(RepoError, match="not allowed here"):
        git_layer.validate_repo_url(str(source.path), local_roots=[])
    with pytest.raises(RepoError, match="outside the directories"):
        git_layer.validate_repo_url(str(elsewhere.path), local_roots=[sources])
    with pytest.raises(RepoError, match="outside the directories"):
        git_layer.validate_repo_url(f"{sources}/../elsewhere", local_roots=[sources])
    with pytest.raises(RepoError, match="outside the directories"):
        git_layer.validate_repo_url(f"file://{elsewhere.path}", local_roots=[sources])
    assert git_layer.validate_repo_url(str(source.path), local_roots=[sources]) == str(source.path)
    assert git_layer.validate_repo_url(f"{source.path}/", local_roots=[str(sources)]) == str(
        source.path
    )
    assert git_layer.validate_repo_url(f"file://{source.path}", local_roots=[sources]) == (
        f"file://{source.path}"
    )


def test_symlinks_are_resolved_before_the_root_check(
    tmp_path: Path, sources: Path, source: Source
) -> None:
    elsewhere = Source(tmp_path / "elsewhere")
    elsewhere.commit({"a.py": ""})
    (sources / "link").symlink_to(elsewhere.path)
    (sources / "inside-link").symlink_to(source.path)

    with pytest.raises(RepoError, match="outside the directories"):
        git_layer.validate_repo_url(str(sources / "link"), local_roots=[sources])
    # allowed, and stored as the real path so a later swap of the link does not matter
    assert git_layer.validate_repo_url(str(sources / "inside-link"), local_roots=[sources]) == str(
        source.path
    )


def test_work_tree_whose_git_dir_lives_outside_the_roots_is_refused(
    tmp_path: Path, sources: Path
) -> None:
    elsewhere = Source(tmp_path / "elsewhere")
    elsewhere.commit({"a.py": ""})
    (sources / "front").mkdir()
    (sources / "front" / ".git").write_text(f"gitdir: {elsewhere.path / '.git'}\n")

    with pytest.raises(RepoError, match="git directory is outside"):
        git_layer.validate_repo_url(str(sources / "front"), local_roots=[sources])


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("missing", "No such directory"),
        ("plain", "Not a git repository"),
    ],
)
def test_local_path_must_be_a_git_repository(sources: Path, path: str, message: str) -> None:
    (sources / "plain").mkdir()
    with pytest.raises(RepoError, match=message):
        git_layer.validate_repo_url(str(sources / path), local_roots=[sources])


def test_relative_local_paths_are_refused(sources: Path) -> None:
    with pytest.raises(RepoError, match="must be absolute"):
        git_layer.validate_repo_url("sources/app", local_roots=[sources])
    with pytest.raises(RepoError, match="must be absolute"):
        git_layer.validate_repo_url("~/app", local_roots=[sources])


def test_file_url_must_be_local(sources: Path) -> None:
    with pytest.raises(RepoError, match="on this machine"):
        git_layer.validate_repo_url("file://otherhost/srv/repo", local_roots=[Path("/")])


# --------------------------------------------------------------------------------------
# Network failures: fast, clear, no credentials
# --------------------------------------------------------------------------------------


def test_unreachable_host_fails_quickly_with_a_clear_reason(clones: Path) -> None:
    started = time.monotonic()
    with pytest.raises(RepoError) as caught:
        sync("https://127.0.0.1:9/x.git", clones / "p1", local_roots=[])

    assert time.monotonic() - started < 10
    message = str(caught.value)
    # The same words whatever went wrong in the transport (git's own go to the log).
    assert message == "Could not clone https://127.0.0.1:9/x.git: could not reach the repository"
    assert not (clones / "p1").exists()
    assert [p.name for p in clones.iterdir()] == [".p1.lock"]


def test_credentials_never_appear_in_errors(clones: Path) -> None:
    for url in (
        "https://user:secret@127.0.0.1:9/x.git",
        "https://secret@127.0.0.1:9/x.git",
        "https://oauth2:s%65cret@127.0.0.1:9/x.git",
    ):
        with pytest.raises(RepoError) as caught:
            sync(url, clones / "p1", local_roots=[])
        message = str(caught.value)
        assert "secret" not in message
        assert "s%65cret" not in message
        assert "127.0.0.1:9" in message
    for bad in ("https://user:secret@:99999/x", "ftp://u:secret@h/x", "ssh://u:secret@-h/x"):
        with pytest.raises(RepoError) as caught:
            git_layer.validate_repo_url(bad, local_roots=[])
        assert "secret" not in str(caught.value)


def test_redact_url() -> None:
    assert git_layer.redact_url("https://user:secret@host/x.git") == "https://***@host/x.git"
    assert (
        git_layer.redact_url("https://ghp_token123@github.com/o/r") == "https://***@github.com/o/r"
    )
    assert git_layer.redact_url("ssh://git@host/x.git") == "ssh://git@host/x.git"
    assert git_layer.redact_url("ssh://me:pw@host/x.git") == "ssh://me:***@host/x.git"
    assert git_layer.redact_url("git@github.com:o/r.git") == "git@github.com:o/r.git"
    assert git_layer.redact_url("https://github.com/o/r") == "https://github.com/o/r"
    assert git_layer.redact_url("me:pw@host:repo.git") == "me:***@host:repo.git"
    text = "fatal: unable to access 'https://u:p4ss@h/x/': nope"
    assert git_layer.redact_url(text) == "fatal: unable to access 'https://***@h/x/': nope"


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never says anything."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


@pytest.mark.parametrize("scheme", ["git", "https"])
def test_timeout_is_honoured(clones: Path, silent_server: int, scheme: str) -> None:
    started = time.monotonic()
    with pytest.raises(RepoTimeoutError, match="Timed out after 2 s while cloning"):
        sync(f"{scheme}://127.0.0.1:{silent_server}/x.git", clones / "p1", timeout=2)
    assert time.monotonic() - started < 8
    assert not (clones / "p1").exists()
    assert [p.name for p in clones.iterdir()] == [".p1.lock"]


def test_timeout_on_fetch_keeps_the_clone(source: Source, clones: Path, silent_server: int) -> None:
    sync(source.path, clones / "p1")
    git(clones / "p1", "remote", "set-url", "origin", f"git://127.0.0.1:{silent_server}/x.git")

    with pytest.raises(RepoTimeoutError, match="Timed out"):
        sync(f"git://127.0.0.1:{silent_server}/x.git", clones / "p1", timeout=2)
    assert (clones / "p1" / "app.py").exists()


# --------------------------------------------------------------------------------------
# Branch names
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "main; rm -rf /",
        "main;id",
        "$(id)",
        "a$(id)",
        "`id`",
        "a`id`b",
        "main..other",
        "..",
        "-main",
        "--upload-pack=x",
        "has space",
        "tab\there",
        "new\nline",
        "nul\x00",
        "a~1",
        "a^",
        "a:b",
        "a?",
        "a*",
        "a[b",
        "a\\b",
        "a|b",
        "a&b",
        "a>b",
        "a'b",
        'a"b',
        "@",
        "HEAD",
        "a@{1}",
        "a/",
        "/a",
        "a//b",
        "a.",
        ".hidden",
        "a/.b",
        "a.lock",
        "a.lock/b",
        "x" * 300,
    ],
)
def test_bad_branch_names_refused(name: str) -> None:
    with pytest.raises(RepoError):
        git_layer.validate_branch(name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("", ""),
        ("main", "main"),
        ("feature/JIRA-123_fix", "feature/JIRA-123_fix"),
        ("release/1.2.3", "release/1.2.3"),
        ("user@team+x=y,z", "user@team+x=y,z"),
        ("refs/heads/main", "main"),
    ],
)
def test_good_branch_names_accepted(name: str, expected: str, tmp_path: Path) -> None:
    assert git_layer.validate_branch(name) == expected
    if expected:  # and git agrees
        git(tmp_path, "check-ref-format", "--branch", expected)


# --------------------------------------------------------------------------------------
# Reading a clone
# --------------------------------------------------------------------------------------


def test_changed_paths_detects_renames(source: Source, clones: Path) -> None:
    body = "".join(f"def f{i}():\n    return {i}\n\n" for i in range(30))
    source.commit({"pkg/service.py": body, "gone.py": "x = 1\n", "keep.py": "k = 1\n"})
    old = sync(source.path, clones / "p1").sha
    (source.path / "pkg" / "core").mkdir()
    git(source.path, "mv", "pkg/service.py", "pkg/core/service.py")
    (source.path / "pkg" / "core" / "service.py").write_text(body + "def extra():\n    pass\n")
    git(source.path, "rm", "-q", "gone.py")
    new = source.commit({"keep.py": "k = 2\n", "added.py": "a = 1\n"}, "move things")
    sync(source.path, clones / "p1")

    changes = git_layer.changed_paths(clones / "p1", old, new)

    assert changes.renamed == {"pkg/service.py": "pkg/core/service.py"}
    assert changes.deleted == {"gone.py"}
    assert changes.added == {"added.py"}
    assert changes.modified == {"keep.py"}
    assert git_layer.changed_paths(clones / "p1", new, new) == git_layer.ChangeSet()


def test_changed_paths_with_missing_or_bad_commit(source: Source, clones: Path) -> None:
    head = sync(source.path, clones / "p1").sha
    with pytest.raises(RepoError, match="not in the clone"):
        git_layer.changed_paths(clones / "p1", "0" * 40, head)
    with pytest.raises(RepoError, match="Not a commit id"):
        git_layer.changed_paths(clones / "p1", "--output=/tmp/x", head)


def test_blob_ids(source: Source, clones: Path) -> None:
    source.commit({"pkg/mod.py": "m = 1\n"})
    sync(source.path, clones / "p1")
    dest = clones / "p1"

    everything = git_layer.blob_ids(dest)
    assert set(everything) == {"app.py", "README.md", "pkg/mod.py"}
    assert everything["pkg/mod.py"] == git(dest, "rev-parse", "HEAD:pkg/mod.py")
    assert git_layer.blob_ids(dest, ["app.py", "missing.py", "pkg"]) == {
        "app.py": git(dest, "rev-parse", "HEAD:app.py")
    }


def test_weekly_commits(sources: Path, clones: Path) -> None:
    repo = Source(sources / "history")
    now = datetime(2025, 3, 19, 12, 0, tzinfo=UTC)  # a Wednesday
    dates = {
        "old": now - timedelta(weeks=10),
        "w-2 early": datetime(2025, 3, 3, 9, 0, tzinfo=UTC),  # Monday two weeks ago
        "w-2 late": datetime(2025, 3, 9, 23, 0, tzinfo=UTC),  # its Sunday
        "this week": datetime(2025, 3, 18, 8, 0, tzinfo=UTC),
    }
    shas = {
        label: repo.commit({"f.py": label}, label, date=date.isoformat())
        for label, date in dates.items()
    }
    sync(repo.path, clones / "p1")

    weekly = git_layer.weekly_commits(clones / "p1", weeks=3, now=now)

    assert weekly == [
        (shas["w-2 late"], dates["w-2 late"]),
        (shas["this week"], dates["this week"]),
    ]
    assert git_layer.weekly_commits(clones / "p1", "main", weeks=12, now=now)[0][0] == shas["old"]
    assert git_layer.weekly_commits(clones / "p1", weeks=0, now=now) == []
