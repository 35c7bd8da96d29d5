"""End to end: "Prepare a patch" on a real Celery worker, read in a real browser."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from reviewer.models import PatchRequest, Project
from tests.browser import login, screenshot
from tests.conftest import GitRepo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCHEMAS = """\
from pydantic import BaseModel, validator


class Order(BaseModel):
    total: int

    class Config:
        orm_mode = True

    @validator("total")
    def positive(cls, value):
        return max(value, 0)


def dump(order: Order) -> dict:
    return order.dict()
"""

CRUD = """\
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import Session, declarative_base

Base = declarative_base()


class Item(Base):
    __tablename__ = "items"
    id = Column(Integer, primary_key=True)
    title = Column(String(100), nullable=False)


def first_item(db: Session, title: str) -> Item | None:
    return db.query(Item).filter(Item.title == title).first()
"""


def wait_for_patch(patch_id: int, timeout: float = 120) -> PatchRequest:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        patch = PatchRequest.objects.get(pk=patch_id)
        if not patch.is_active:
            return patch
        time.sleep(0.3)
    raise AssertionError(f"patch {patch_id} was not prepared in {timeout}s")


def test_a_worker_prepares_a_verified_pydantic_patch_for_the_head(
    celery_worker: object,
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    member_client: Client,
    project_factory: Callable[..., Project],
) -> None:
    repo = make_repo("shop")
    head = repo.commit({"app/schemas.py": SCHEMAS}, "schemas")
    project = project_factory(name="shop", repo_url=str(repo.path))
    response = member_client.post(reverse("dashboard:patch_start", args=[project.slug, "pydantic"]))
    assert response.status_code == 302
    patch = wait_for_patch(PatchRequest.objects.get(project=project).pk)
    assert patch.status == PatchRequest.Status.READY, (patch.problems, patch.error)
    assert patch.commit_sha == head
    assert sorted(i["rule"] for i in patch.removed) == ["PD001", "PD002", "PD003", "PD004"]
    assert patch.left == []
    subprocess.run(["git", "apply", "-"], cwd=repo.path, input=patch.diff.encode(), check=True)
    text = (repo.path / "app/schemas.py").read_text()
    assert "model_config = ConfigDict(from_attributes=True)" in text
    assert '@field_validator("total")\n    @classmethod' in text
    assert "return order.model_dump()" in text


@pytest.mark.browser
def test_preparing_a_patch_from_the_project_page_in_a_browser(
    celery_worker: object,
    workdir: Path,
    live_server: object,
    browser: object,
    member: User,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
) -> None:
    repo = make_repo("shop")
    repo.commit({"app/crud.py": CRUD}, "crud")
    project = project_factory(name="shop", repo_url=str(repo.path))
    base = live_server.url  # type: ignore[attr-defined]
    context = browser.new_context(accept_downloads=True)  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, base, "member", "pw-member-1")
    page.goto(f"{base}{project.get_absolute_url()}")
    page.click("#prepare-sqlalchemy")
    expect(page.locator("#patch-status")).to_have_text("Ready", timeout=120_000)
    expect(page.locator("#patch-diff span.gi").first).to_be_visible()
    assert page.locator("#patch-diff span.gd").count() >= 4
    expect(page.locator("#patch-debt")).to_contain_text("Removes 4 findings")
    screenshot(page, "paydown-patch")
    with page.expect_download() as info:
        page.click("#patch-download")
    download = info.value
    assert download.suggested_filename.startswith("shop-sqlalchemy-")
    patch_text = Path(download.path()).read_text()
    subprocess.run(["git", "apply", "-"], cwd=repo.path, input=patch_text.encode(), check=True)
    assert (
        "db.scalars(select(Item).where(Item.title == title).limit(1)).first()"
        in (repo.path / "app/crud.py").read_text()
    )
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()
