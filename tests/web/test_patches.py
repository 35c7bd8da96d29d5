"""Migration-debt patch pages: preparing, reading, downloading; access and queries."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviewer.models import PatchRequest, Project
from reviewer.patches import request_patch, run_patch
from tests.conftest import GitRepo

pytestmark = pytest.mark.django_db

MODELS = """\
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Note(Base):
    __tablename__ = "notes"
    id = Column(Integer, primary_key=True)
    text = Column(String(200), default="<script>alert(1)</script>")
    blob = Column(SomeCustomType())
"""


@pytest.fixture
def prepared(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
) -> tuple[Project, PatchRequest, GitRepo]:
    """A patch a worker would have prepared: run here, on a real git repository."""
    repo = make_repo("shop")
    repo.commit({"app/models.py": MODELS}, "models")
    project = project_factory(name="shop", repo_url=str(repo.path))
    patch, created = request_patch(project, "sqlalchemy", None)
    assert created
    done = run_patch(patch.pk)
    assert done is not None
    return project, done, repo


def test_a_prepared_patch_removes_the_debt_it_claims_and_applies(
    prepared: tuple[Project, PatchRequest, GitRepo],
) -> None:
    _project, patch, repo = prepared
    assert patch.status == PatchRequest.Status.READY, (patch.problems, patch.error)
    assert patch.commit_sha == repo.git("rev-parse", "HEAD")
    assert sorted(item["rule"] for item in patch.removed) == ["SA002", "SA002", "SA004"]
    assert [(i["rule"], i["line"]) for i in patch.left] == [("SA002", 11)]
    assert patch.removed_minutes == 15 + 15 + 30
    subprocess.run(
        ["git", "apply", "--check", "-"], cwd=repo.path, input=patch.diff.encode(), check=True
    )
    assert repo.git("status", "--porcelain") == ""  # nothing written to the repository


def test_the_patch_page_shows_the_highlighted_diff_escaped_with_a_pinned_query_count(
    prepared: tuple[Project, PatchRequest, GitRepo], member_client: Client
) -> None:
    project, patch, _repo = prepared
    url = reverse("dashboard:patch", args=[project.slug, patch.pk])
    member_client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        page = member_client.get(url)
    assert page.status_code == 200
    # session, user, project, patch, team membership, earlier patches
    assert len(ctx.captured_queries) == 6, [q["sql"] for q in ctx.captured_queries]
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<span class="gd">-Base = declarative_base()</span>' in html
    assert '<span class="gi">+class Base(DeclarativeBase):</span>' in html
    assert "Removes <strong>3</strong> findings (~1.0 h of debt)" in html
    assert "app/models.py:11" in html and "not SQLAlchemy&#x27;s own" in html
    download = member_client.get(reverse("dashboard:patch_download", args=[project.slug, patch.pk]))
    assert download["Content-Disposition"].startswith('attachment; filename="shop-sqlalchemy-')
    assert download.content.decode() == patch.diff


def test_preparing_queues_one_request_per_kind_and_polling_stops_when_done(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory(name="shop")
    url = reverse("dashboard:patch_start", args=[project.slug, "pydantic"])
    first = member_client.post(url)
    patch = PatchRequest.objects.get(project=project)
    assert first.status_code == 302 and first["Location"] == reverse(
        "dashboard:patch", args=[project.slug, patch.pk]
    )
    assert patch.status == PatchRequest.Status.QUEUED and patch.kind == "pydantic"
    again = member_client.post(url, HTTP_HX_REQUEST="true")
    assert again["HX-Redirect"] == first["Location"]
    assert PatchRequest.objects.filter(project=project).count() == 1
    poll = member_client.get(first["Location"], HTTP_HX_REQUEST="true")
    assert (
        poll.status_code == 200
        and f'hx-trigger="every {settings.REVIEWDECK_POLL_MS}ms"' in poll.content.decode()
    )
    PatchRequest.objects.filter(pk=patch.pk).update(
        status=PatchRequest.Status.REFUSED, problems=["the patch removes no finding"]
    )
    done = member_client.get(first["Location"], HTTP_HX_REQUEST="true")
    assert done.status_code == 286  # HTMX: stop polling
    assert "the patch removes no finding" in done.content.decode()
    assert "Download .patch" not in done.content.decode()
    missing = member_client.get(reverse("dashboard:patch_download", args=[project.slug, patch.pk]))
    assert missing.status_code == 404
    assert (
        member_client.post(
            reverse("dashboard:patch_start", args=[project.slug, "flask"])
        ).status_code
        == 404
    )


def test_other_teams_and_anonymous_users_cannot_prepare_or_read(
    client: Client,
    outsider_client: Client,
    project_factory: Callable[..., Project],
) -> None:
    project = project_factory(name="shop")
    patch = PatchRequest.objects.create(
        project=project, kind="sqlalchemy", status=PatchRequest.Status.READY, diff="secret diff"
    )
    start = reverse("dashboard:patch_start", args=[project.slug, "sqlalchemy"])
    for url in (start, reverse("dashboard:patch", args=[project.slug, patch.pk])):
        assert outsider_client.post(url).status_code in (403, 404)
        assert outsider_client.get(url).status_code in (404, 405)
        assert client.get(url).status_code == 302
    download = reverse("dashboard:patch_download", args=[project.slug, patch.pk])
    assert outsider_client.get(download).status_code == 404
    assert PatchRequest.objects.count() == 1


def test_the_debt_page_offers_patches_for_the_kinds_with_a_codemod(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    from django.utils import timezone

    from reviewer.models import Scan, ScanSummary

    project = project_factory(name="shop")
    scan = Scan.objects.create(project=project, status=Scan.Status.SUCCEEDED)
    summary = ScanSummary.objects.create(
        project=project,
        scan=scan,
        created_at=timezone.now(),
        debt_minutes=70,
        by_debt_kind={
            "pydantic": {"count": 4, "minutes": 60},
            "fastapi": {"count": 2, "minutes": 10},
        },
    )
    Project.objects.filter(pk=project.pk).update(latest_summary=summary)
    html = member_client.get(reverse("dashboard:debt")).content.decode()
    assert 'id="paydown"' in html
    assert 'data-kind="pydantic" data-project="shop">Prepare a patch (4)' in html
    assert 'data-kind="sqlalchemy"' not in html
    project_page = member_client.get(project.get_absolute_url()).content.decode()
    assert 'id="prepare-sqlalchemy"' in project_page
