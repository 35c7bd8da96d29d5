"""The hardened git layer: validate repository URLs and branch names, clone/update, history.

Layers, each importing only those below it: ``errors`` and ``redact``; ``run`` (the one
place a git process starts); ``urls`` (validation, credential references); ``clone``
(clone/fetch) and ``history`` (renames, weeks, blame dates, blobs, export); ``local`` (our own
repositories, ``git apply --check``) and ``worktree`` (a user's work tree, for ``--diff``).

This package has no Django imports: it takes plain arguments (URL, paths, timeouts, the
allowed local roots) so it can be tested and reused alone. Every failure a user can cause
is a :class:`RepoError` whose message is short, user-facing and free of credentials.

Threat model
------------
Repository URLs and branch names come from users of the web app; the repositories'
contents come from whoever can push to them. So:

* **Transports.** Only ``https://``, ``ssh://``, scp-like ``user@host:path``, ``git://``,
  ``file://`` and absolute local paths are accepted. ``ext::``/``fd::`` and every other
  ``transport::address`` remote-helper form run programs and are refused, as are unknown
  ``scheme://`` forms (git would look for a ``git-remote-<scheme>`` helper) and plain
  ``http://``. Independently of that validation every git call runs with
  ``protocol.allow=never`` and an explicit allow-list (``file`` only when the URL is local),
  so a URL that slipped past validation still cannot reach another transport.
* **Option injection.** URLs, hosts and users starting with ``-`` are refused, branch names
  are checked against a strict character set, and positional arguments follow ``--``.
* **Local paths** are allowed only when they resolve (symlinks resolved) below one of the
  ``local_roots`` the caller passes (an empty list refuses all of them), exist, and are a
  git repository. The *resolved* path is what git is given, and local clones use
  ``--no-local`` so git goes through the transport instead of copying/hard-linking
  ``.git/objects`` (which could follow planted symlinks).
* **Nothing from the repository executes.** Hooks are off (``core.hooksPath=/dev/null``,
  empty clone template, also written into the clone's own config), submodules are never
  followed (``--no-recurse-submodules``, ``submodule.recurse=false``), LFS smudge/process
  filters are emptied and no system or global git config is read
  (``GIT_CONFIG_NOSYSTEM=1``, ``GIT_CONFIG_GLOBAL=/dev/null``), so ``.gitattributes`` can
  only name filter drivers that nobody defines. Repository-local config is never trusted:
  git never copies a remote's config, and the only ``.git/config`` we use is the one our
  clone wrote. ``diff`` runs with ``--no-ext-diff --no-textconv``.
* **Symlinks** in checkouts are kept as symlinks (``core.symlinks`` untouched): the engine
  never follows them, it reads regular files only.
* **No hanging.** Every git call has a deadline (the whole :func:`sync` shares one
  ``timeout`` budget); git runs in its own process group which is killed as a whole when the
  deadline passes (a plain ``subprocess.run(timeout=...)`` would kill only ``git`` and then
  wait forever for ``git-remote-https``/``ssh`` holding the pipes). Prompts are disabled
  (``GIT_TERMINAL_PROMPT=0``, ``GIT_ASKPASS``/``SSH_ASKPASS`` answer empty, ssh runs with
  ``BatchMode=yes``), so a private repository fails fast instead of waiting for a password.
  GitPython's unsafe-protocol and unsafe-option guards check every URL and option given
  to git; :mod:`reviewer.git.run` says why it starts the process itself.
* **ssh** runs with ``BatchMode=yes`` and ``StrictHostKeyChecking=accept-new`` (a host key
  is trusted on first use and written to the worker user's ``~/.ssh/known_hosts``; a
  changed key fails). An operator's ``GIT_SSH_COMMAND``/``GIT_SSH`` and ssh agent are kept,
  every other inherited ``GIT_*`` variable (``GIT_DIR``, ``GIT_CONFIG_*``...) is dropped.
* **Credentials** (a token in an https URL) are redacted from every message
  (:func:`redact_url`, plus removal of the literal secret from git's stderr). They do end up
  in the clone's ``.git/config`` (git needs them to fetch); the work directory must therefore
  not be readable by others (new clones are created mode 0700). No credential helpers run
  (no global/system config), so private repositories need a token in the URL or an ssh key.

Clone depth trade-off
---------------------
By default clones are *full* (``--no-tags --single-branch``): rename detection between the
previously scanned commit and the new one (:func:`changed_paths`) and the weekly history
backfill (:func:`weekly_commits`) need history, and a full single-branch clone is the most
robust way to have it. ``--filter=blob:none`` partial clones were rejected: later diffs and
checkouts would fetch blobs lazily over the network from inside local commands. Callers who
only need the tip can pass ``depth=1`` to :func:`sync`; :func:`changed_paths` then raises
:class:`RepoError` when the older commit is not in the clone and callers fall back to
matching by content.

Concurrency and crashes
-----------------------
:func:`sync` and :func:`fetch` hold an exclusive ``flock`` on ``<dest>.lock`` beside the
repository: one per machine, guarding that machine's cache only (which worker scans a
project is decided in the database). A repository is made in a temporary sibling
directory and renamed into place only when complete, so a killed worker leaves at most
a ``.<name>.tmp-*`` directory, which the next call removes; stale ``*.lock`` files of a
killed git are removed under the same lock. :func:`tree` exports a commit into a
temporary folder renamed into place (``.<sha>.lock`` held meanwhile), so a tree that
exists is complete.

Exact commits
-------------
Workers review trees of exact commits (:func:`tree`), never a working copy: the local
repository of :func:`fetch` has nothing checked out, and a commit another machine
scanned is fetched by branch, then by id, before its tree is read.
"""

from reviewer.git.clone import SyncResult, fetch_branches, sync
from reviewer.git.errors import (
    RepoError,
    RepoRefusedError,
    RepoTimeoutError,
    RepoUnreachableError,
)
from reviewer.git.history import (
    ChangeSet,
    Fork,
    blob_ids,
    changed_paths,
    commit_date,
    export_tree,
    last_commit_dates,
    newest_fork,
    read_blob,
    weekly_commits,
)
from reviewer.git.mirror import fetch, prune_trees, tree
from reviewer.git.reach import refuse_internal_literal
from reviewer.git.redact import redact_url
from reviewer.git.urls import (
    stored_secret_problem,
    validate_branch,
    validate_branch_pattern,
    validate_repo_url,
    validate_stored_repo_url,
)

__all__ = [
    "ChangeSet",
    "Fork",
    "RepoError",
    "RepoRefusedError",
    "RepoTimeoutError",
    "RepoUnreachableError",
    "SyncResult",
    "blob_ids",
    "changed_paths",
    "commit_date",
    "export_tree",
    "fetch",
    "fetch_branches",
    "last_commit_dates",
    "newest_fork",
    "prune_trees",
    "read_blob",
    "redact_url",
    "refuse_internal_literal",
    "stored_secret_problem",
    "sync",
    "tree",
    "validate_branch",
    "validate_branch_pattern",
    "validate_repo_url",
    "validate_stored_repo_url",
    "weekly_commits",
]
