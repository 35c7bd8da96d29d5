"""Where a worker reads a project's code: its machine's cache of the repository and the
files of one exact commit.

Clones are a per-machine cache, never the record: any worker on any machine may take any
scan or Claude run. It fetches what its cache lacks (the branch head for a scan, the
scan's own commit for a Claude run) into ``Project.checkout_dir`` and reads the files of
that commit from ``$REVIEWDECK_WORKDIR/trees/project-<id>/<commit>`` (exported once per
machine and commit, removed after ``REVIEWDECK_TREE_KEEP_SECONDS`` unused). Git history
(renames, weekly commits, last-change dates) is read from the cache by commit id.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from reviewer import git
from reviewer.models import Project
from reviewer.outbound import Policy


def trees_root(project: Project) -> Path:
    return Path(settings.REVIEWDECK_WORKDIR) / "trees" / f"project-{project.pk}"


def fetch(project: Project, commit: str = "") -> git.SyncResult:
    """Bring the project's branch head (or ``commit``) into this machine's cache. A
    failure to reach the head is recorded on the project and re-raised."""
    try:
        synced = git.fetch(
            project.repo_url,
            project.checkout_dir,
            project.branch,
            commit=commit,
            timeout=settings.REVIEWDECK_GIT_TIMEOUT,
            local_roots=settings.REVIEWDECK_LOCAL_REPO_ROOTS,
            workdir=Path(settings.REVIEWDECK_WORKDIR),
            policy=Policy.from_settings(),
        )
    except git.RepoError as exc:
        if not commit:
            Project.objects.filter(pk=project.pk).update(
                clone_state=Project.CloneState.ERROR, last_error=str(exc)
            )
        raise
    if not commit:
        Project.objects.filter(pk=project.pk).update(
            clone_state=Project.CloneState.READY, last_error="", last_synced_at=timezone.now()
        )
    return synced


def tree_at(project: Project, commit: str) -> Path:
    """The files of ``commit``, which must be in this machine's cache (see :func:`fetch`)."""
    return git.tree(
        project.checkout_dir,
        commit,
        trees_root(project),
        keep_seconds=settings.REVIEWDECK_TREE_KEEP_SECONDS,
        timeout=settings.REVIEWDECK_GIT_TIMEOUT,
    )


def commit_tree(project: Project, commit: str) -> Path:
    """The files of ``commit``, fetched first when this machine has not seen it (a Claude
    run on another machine than the scan's)."""
    fetch(project, commit)
    return tree_at(project, commit)
