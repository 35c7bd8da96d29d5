"""The verification pass: every finding that passed the mechanical checks gets one call to
the cheaper model trying to refute it; refuted ones are counted, not stored; kept ones
carry the checker's confidence cap and one-line reason."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from reviewer.agents.catalog import price_for, resolve_model
from reviewer.agents.refute import excerpt
from reviewer.agents.tasks import run_claude_review
from reviewer.models import Finding, Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo
from tests.fake_anthropic import FakeAnthropic, Reply, Status, done, tool_use, tools_reply, verdict

REVIEWER = "python-backend-reviewer"
CODE = (
    "import subprocess\n"
    "\n"
    "\n"
    "class Runner:\n"
    "    def run(self, cmd):\n"
    "        # cmd is a constant list chosen by the caller\n"
    "        return subprocess.run(cmd, check=True)\n"
    "\n"
    "    def unsafe(self, name):\n"
    "        return eval(name)\n"
    "\n"
    "    def leak(self, password):\n"
    "        print(password)\n"
)


def report(line: int, code: str, title: str, confidence: int = 90) -> dict[str, Any]:
    return tool_use(
        "report_finding",
        {
            "category": "security",
            "severity": "critical",
            "confidence": confidence,
            "path": "app/run.py",
            "line": line,
            "code": code,
            "title": title,
            "explanation": "Untrusted input reaches a dangerous call.",
        },
    )


def test_the_checker_sees_the_enclosing_function() -> None:
    assert excerpt("app/run.py", CODE, 7) == (5, 7)
    assert excerpt("app/run.py", CODE, 10) == (9, 10)
    assert excerpt("app/run.py", CODE, 1) == (1, 13)  # module level: lines around it
    assert excerpt("Dockerfile", "FROM x\n" * 100, 50) == (10, 90)


@pytest.mark.django_db
def test_refuted_findings_are_counted_not_stored_and_kept_ones_carry_the_verdict(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    fake_api: FakeAnthropic,
    member_client: Client,
) -> None:
    repo = make_repo("svc")
    repo.commit({"app/run.py": CODE})
    project = project_factory(repo_url=str(repo.path), agents=[REVIEWER])
    fake_api.add(
        tools_reply(
            report(7, "return subprocess.run(cmd, check=True)", "command injection"),
            report(10, "return eval(name)", "eval of input"),
            report(13, "print(password)", "password printed", confidence=95),
            report(99, "os.system(x)", "not in the file"),  # fails the mechanical check
        ),
        done(),
    )

    def checker(request: dict[str, Any]) -> Reply | Status:
        question = request["body"]["messages"][0]["content"]
        if "command injection" in question:
            return verdict(False, 90, "cmd is a list from the caller; no shell is involved")
        if "eval of input" in question:
            return verdict(True, 80, "name comes from the caller and reaches eval")
        return Status(500, "checker down", headers={"x-should-retry": "false"})

    fake_api.verifier = checker
    scan, _ = request_scan(project, Scan.Trigger.CLI)
    run_scan(scan.pk)
    run_claude_review(scan.pk)
    scan.refresh_from_db()

    assert len(fake_api.verifications) == 3  # not for the finding whose quote was wrong
    first = fake_api.verifications[0]["body"]
    assert first["model"] == resolve_model("haiku") == "claude-haiku-5-5"
    assert [t["name"] for t in first["tools"]] == ["verdict"]
    question = first["messages"][0]["content"]
    assert '<code path="app/run.py" lines="5-7">' in question
    assert "   7|         return subprocess.run(cmd, check=True)" in question
    assert "eval" not in question  # only the enclosing function

    run = scan.agent_runs[REVIEWER]
    assert run["refuted"] == 1 and run["unchecked"] == 1 and run["rejected"] == 1
    found = {f.title: f for f in Finding.objects.filter(project=project, origin="claude")}
    assert set(found) == {"eval of input", "password printed"}
    evil = found["eval of input"]
    assert evil.confidence == 80  # the lower of the agent's 90 and the checker's 80
    assert evil.verification == "name comes from the caller and reaches eval"
    assert found["password printed"].verification == "not checked (API error)"
    assert found["password printed"].confidence == 95
    # The checker's calls are paid for and counted: 2 answered x (600 in, 40 out).
    haiku = price_for("claude-haiku-5-5")
    checker_cost = Decimal(2 * (600 * haiku["input"] + 40 * haiku["output"])) / 10**6
    assert scan.input_tokens == 1000 + 1000 + 1200 and scan.output_tokens == 200 + 80
    assert scan.cost_usd >= checker_cost.quantize(Decimal("0.0001"))
    page = member_client.get(f"/projects/{project.slug}/findings/{evil.pk}/")
    if page.status_code == 404:
        page = member_client.get(evil.get_absolute_url())
    assert "name comes from the caller and reaches eval" in page.content.decode()


@pytest.mark.django_db
def test_no_verify_model_means_no_second_call(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    fake_api: FakeAnthropic,
    settings: Any,
) -> None:
    settings.CLAUDE_VERIFY_MODEL = ""
    repo = make_repo("svc")
    repo.commit({"app/run.py": CODE})
    project = project_factory(repo_url=str(repo.path), agents=[REVIEWER])
    fake_api.add(tools_reply(report(10, "return eval(name)", "eval of input")), done())
    scan, _ = request_scan(project, Scan.Trigger.CLI)
    run_scan(scan.pk)
    run_claude_review(scan.pk)
    assert fake_api.verifications == []
    (finding,) = Finding.objects.filter(project=project, origin="claude")
    assert finding.verification == "" and finding.confidence == 90
