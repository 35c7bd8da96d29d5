"""Preparing migration-debt patches for a project (persistence around reviewer.paydown).

A patch request is created ``queued`` before its task is sent (the database is the record
of work, as for scans); a worker claims it with one UPDATE, syncs the project's clone,
exports the head commit into a temporary folder (``git archive``: no checkout, no hooks),
and runs :func:`reviewer.paydown.prepare.prepare` on it. The result, offered or not, is
stored on the row; nothing is ever pushed to the repository.
"""

from __future__ import annotations

import logging
import multiprocessing
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from reviewer import git
from reviewer.models import PatchRequest, Project
from reviewer.paydown.prepare import Left, PatchResult, prepare
from reviewer.scanning import sync_project

logger = logging.getLogger(__name__)


def request_patch(project: Project, kind: str, user: User | None) -> tuple[PatchRequest, bool]:
    """A new queued request, or the one of this kind already queued or running."""
    active = (
        PatchRequest.objects.filter(
            project=project,
            kind=kind,
            status__in=[PatchRequest.Status.QUEUED, PatchRequest.Status.RUNNING],
        )
        .order_by("-id")
        .first()
    )
    if active is not None:
        return active, False
    return PatchRequest.objects.create(project=project, kind=kind, requested_by=user), True


def fail(patch: PatchRequest, reason: str) -> None:
    PatchRequest.objects.filter(pk=patch.pk).update(
        status=PatchRequest.Status.FAILED, error=reason, finished_at=timezone.now()
    )


def _finding(issue: object, reason: str | None = None) -> dict[str, object]:
    entry: dict[str, object] = {
        "rule": getattr(issue, "rule_id", ""),
        "path": getattr(issue, "path", ""),
        "line": getattr(issue, "line", 0),
        "title": getattr(issue, "title", ""),
        "minutes": getattr(issue, "debt_minutes", 0),
    }
    if reason is not None:
        entry["reason"] = reason
    return entry


def _store(patch: PatchRequest, sha: str, result: PatchResult) -> None:
    left: list[Left] = result.left
    PatchRequest.objects.filter(pk=patch.pk).update(
        status=PatchRequest.Status.READY if result.offered else PatchRequest.Status.REFUSED,
        commit_sha=sha,
        diff=result.diff if result.offered else "",
        files=result.files,
        removed=[_finding(i) for i in result.removed],
        left=[_finding(x.issue, x.reason) for x in left],
        removed_minutes=result.removed_minutes,
        left_minutes=result.left_minutes,
        problems=result.problems,
        seconds=round(result.seconds, 2),
        finished_at=timezone.now(),
    )


def run_patch(patch_id: int) -> PatchRequest | None:
    """Prepare a queued patch request; None when it is gone or not queued any more."""
    claimed = PatchRequest.objects.filter(pk=patch_id, status=PatchRequest.Status.QUEUED).update(
        status=PatchRequest.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    patch = PatchRequest.objects.select_related("project").get(pk=patch_id)
    project = patch.project
    try:
        synced = sync_project(project)
        workdir = Path(settings.REVIEWDECK_WORKDIR)
        with tempfile.TemporaryDirectory(prefix=f"patch-{project.pk}-", dir=workdir) as tmp:
            git.export_tree(project.checkout_dir, synced.sha, Path(tmp))
            result = prepare(
                Path(tmp),
                patch.kind,
                ruff=settings.REVIEWDECK_RUFF,
                # A prefork worker's child is a daemon and may not start a process pool.
                jobs=1 if multiprocessing.current_process().daemon else None,
                max_file_bytes=settings.REVIEWDECK_MAX_FILE_BYTES,
                cache_dir=Path(settings.DATA_DIR) / "engine-cache",
            )
        _store(patch, synced.sha, result)
    except Exception as exc:
        logger.exception("patch %s of project %s failed", patch.pk, project.pk)
        fail(patch, str(exc) if isinstance(exc, git.RepoError) else type(exc).__name__)
    patch.refresh_from_db()
    return patch
