"""The gate's verdict where CI and READMEs read it: the API, the opt-in badge, the gate
page, and ``reviewdeck gate`` as a subprocess against a live server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from reviewer.models import GateResult, Project, QualityGate, Scan
from tests.api.conftest import Http
from tests.factories import make_findings, make_scan

pytestmark = pytest.mark.django_db(transaction=True)
SCRIPT = Path(sys.executable).parent / "reviewdeck"


def _verdict(project: Project, passed: bool, failures: list[str] | None = None) -> Scan:
    scan = make_scan(project)
    GateResult.objects.create(
        scan=scan,
        project=project,
        passed=passed,
        failures=failures or [],
        baseline="the first scan",
    )
    return scan


def gate_cli(live_server: Any, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "REVIEWDECK_TOKEN"}
    return subprocess.run(
        [str(SCRIPT), "gate", "--url", live_server.url, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_gate_over_the_api_and_the_cli_exit_codes(
    http: Http,
    live_server: Any,
    member: User,
    outsider: User,
    project_factory: Callable[..., Project],
    token_for: Callable[[User], str],
) -> None:
    project = project_factory(name="shop")
    token = token_for(member)
    reply = http("GET", "/api/v1/projects/shop/gate", token=token)
    assert reply.status == 200
    assert reply.json["status"] == "none"
    assert reply.json["conditions"]["defined_for"] == "default"
    assert gate_cli(live_server, "--project", "shop", "--token", token).returncode == 2

    scan = _verdict(project, True)
    reply = http("GET", "/api/v1/projects/shop/gate", token=token).json
    assert (reply["status"], reply["scan_id"]) == ("passed", scan.pk)
    done = gate_cli(live_server, "--project", "shop", "--token", token)
    assert done.returncode == 0, done.stderr
    assert "passed" in done.stdout

    _verdict(project, False, ["2 new Critical findings since the first scan."])
    assert http("GET", "/api/v1/projects", token=token).json[0]["gate"]["status"] == "failed"
    done = gate_cli(live_server, "--project", "shop", "--token", token)
    assert done.returncode == 1
    assert "FAILED" in done.stdout and "2 new Critical findings" in done.stdout

    assert gate_cli(live_server, "--project", "shop", "--token", "rdk_x_y").returncode == 2
    other = gate_cli(live_server, "--project", "shop", "--token", token_for(outsider))
    assert other.returncode == 2 and "no project" in other.stderr
    assert http("GET", "/api/v1/projects/shop/gate", token=token_for(outsider)).status == 404


def test_the_badge_is_off_until_turned_on_and_shows_only_the_verdict(
    http: Http, member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory(name="shop")
    make_findings(project, 2)
    _verdict(project, False, ["a failure that must not leak"])
    assert http("GET", "/badge/" + "x" * 32 + ".svg").status == 404

    page = member_client.post("/projects/shop/gate/", {"badge": "on"})
    assert page.status_code == 302
    project.refresh_from_db()
    assert len(project.badge_token) >= 20
    badge = http("GET", f"/badge/{project.badge_token}.svg")  # no login
    assert badge.status == 200 and badge.headers["Content-Type"] == "image/svg+xml"
    svg = badge.body.decode()
    assert "failed" in svg and "shop" not in svg and "leak" not in svg
    assert "no-cache" in badge.headers["Cache-Control"]

    old = project.badge_token
    member_client.post("/projects/shop/gate/", {"badge": "off"})
    assert http("GET", f"/badge/{old}.svg").status == 404


def test_the_gate_page_saves_a_project_or_team_gate_and_judges_again(
    member_client: Client, outsider_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory(name="shop")
    _verdict(project, True)
    form = {
        "no_new_critical": "on",
        "no_failed_scan": "on",
        "baseline_date": "2026-01-01",
        "baseline_commit": "",
        "scope": "project",
    }
    assert outsider_client.post("/projects/shop/gate/", form).status_code == 404
    assert member_client.post("/projects/shop/gate/", form).status_code == 302
    gate = QualityGate.objects.get(project=project)
    assert gate.baseline_date is not None and not gate.no_debt_growth
    latest = GateResult.objects.filter(project=project).order_by("-id").first()
    assert latest is not None and latest.baseline == "2026-01-01"  # judged again

    bad = member_client.post("/projects/shop/gate/", {**form, "baseline_commit": "main; rm"})
    assert bad.status_code == 400 and "hexadecimal" in bad.content.decode()

    member_client.post("/projects/shop/gate/", {**form, "scope": "team"})
    assert not QualityGate.objects.filter(project=project).exists()
    assert QualityGate.objects.get(team=project.team).baseline_date is not None

    page = member_client.get("/projects/shop/gate/").content.decode()
    assert "the team&#x27;s gate" in page or "team's gate" in page
    project_page = member_client.get("/projects/shop/").content.decode()
    assert 'id="gate-status"' in project_page and "passed" in project_page
