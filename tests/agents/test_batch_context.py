"""The batch path sends what the live path sends (repository map, diff context of a
reviewed file, commit messages) and its findings go through the same verification pass
when the results arrive. Real SDK against the scripted local Messages API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reviewer.agents.batch import poll_batch
from reviewer.agents.tasks import run_claude_review
from reviewer.models import Finding, Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.agents import test_context as context_tests
from tests.agents.test_context import report
from tests.conftest import GitRepo
from tests.fake_anthropic import FakeAnthropic, Reply, Status, done, verdict

pytestmark = pytest.mark.django_db
REVIEWER = "python-backend-reviewer"
UTIL = context_tests.UTIL + "\n\ndef third(z):\n    return z.strip()\n"
MODELS = "class Item(Base):\n    __tablename__ = 'items'\n"


def scheduled(project: Project) -> Scan:
    scan, created = request_scan(project, Scan.Trigger.SCHEDULE)
    assert created
    run_scan(scan.pk)
    return scan


def collect(scan: Scan) -> Scan:
    assert run_claude_review(scan.pk) == "batched"
    assert poll_batch(scan.pk) == "waiting"
    assert poll_batch(scan.pk) == "done"
    scan.refresh_from_db()
    return scan


def batch_params(fake: FakeAnthropic) -> list[dict[str, Any]]:
    return [
        item["params"]
        for r in fake.requests
        if r["path"] == "/v1/messages/batches"
        for item in r["body"]["requests"]
    ]


def prompt(params: dict[str, Any]) -> str:
    return "\n".join(b["text"] for b in params["messages"][0]["content"])


def test_batches_are_verified_and_a_later_batch_sends_the_diff_with_the_commits(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    fake_api: FakeAnthropic,
) -> None:
    repo = make_repo("svc")
    repo.commit({"app/util.py": UTIL, "app/models.py": MODELS}, message="initial")
    project = project_factory(repo_url=str(repo.path), agents=[REVIEWER], use_batches=True)
    fake_api.add(
        Reply(
            [
                report(5, "return eval(x)", "eval"),
                report(9, "return os.system(y)", "shell"),
                report(13, "return z.strip()", "strip is dangerous"),
            ],
            stop_reason="tool_use",
        )
    )

    def checker(request: dict[str, Any]) -> Reply | Status:
        question = request["body"]["messages"][0]["content"]
        if "strip is dangerous" in question:
            return verdict(False, 95, "strip() only trims whitespace")
        return verdict(True, 80, "the argument reaches the call unchecked")

    fake_api.verifier = checker
    first = collect(scheduled(project))
    (params,) = batch_params(fake_api)
    assert [t["name"] for t in params["tools"]] == ["report_finding"]
    assert "app/models.py: model Item" in params["system"][-1]["text"]  # the repository map
    assert '<file path="app/util.py">' in prompt(params)
    run = first.agent_runs[REVIEWER]
    assert run["status"] == "succeeded", run
    assert run["coverage"].startswith("first review in order of risk")
    # Every finding that passed the mechanical checks got one checker call.
    assert len(fake_api.verifications) == 3
    assert run["refuted"] == 1 and run["findings"] == 2
    found = {f.title: f for f in Finding.objects.filter(project=project, origin="claude")}
    assert set(found) == {"eval", "shell"}
    assert found["eval"].verification == "the argument reaches the call unchecked"
    assert found["eval"].confidence == 80

    # Only the second function changes: the next batch sends its region, not the file.
    repo.commit(
        {"app/util.py": UTIL.replace("return os.system(y)", "return os.system(y + ' &')")},
        message="util: run the command in the background",
    )
    fake_api.requests.clear()
    fake_api.verifications.clear()
    fake_api.add(done())
    later = collect(scheduled(project))
    (params,) = batch_params(fake_api)
    text = prompt(params)
    assert '<changes path="app/util.py" lines="8-9" total_lines="13">' in text
    assert "   9|     return os.system(y + ' &')" in text
    assert "eval(x)" not in text and '<file path="app/util.py">' not in text
    assert "util: run the command in the background" in text
    assert "read_file" not in text  # a batch has no tools to read the rest with
    run = later.agent_runs[REVIEWER]
    assert run["status"] == "succeeded", run
    assert run["coverage"].startswith("changes since ")
    found = {f.title: f for f in Finding.objects.filter(project=project, origin="claude")}
    assert found["eval"].is_open and found["eval"].line == 5  # outside the change: carried
    assert found["shell"].status == Finding.Status.FIXED  # in the change, not reported again
    assert fake_api.verifications == []  # nothing new to check


def test_a_checker_model_priced_out_since_submitting_leaves_the_findings_unchecked(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    fake_api: FakeAnthropic,
    settings: Any,
) -> None:
    repo = make_repo("svc")
    repo.commit({"app/util.py": UTIL})
    project = project_factory(repo_url=str(repo.path), agents=[REVIEWER], use_batches=True)
    fake_api.add(Reply([report(5, "return eval(x)", "eval")], stop_reason="tool_use"))
    scan = scheduled(project)
    assert run_claude_review(scan.pk) == "batched"
    settings.ANTHROPIC_PRICES = {
        k: v for k, v in settings.ANTHROPIC_PRICES.items() if not k.startswith("claude-haiku")
    }
    assert poll_batch(scan.pk) == "waiting" and poll_batch(scan.pk) == "done"
    scan.refresh_from_db()
    assert fake_api.verifications == []
    assert scan.agent_runs[REVIEWER]["unchecked"] == 1
    (finding,) = Finding.objects.filter(project=project, origin="claude")
    assert finding.verification.startswith("not checked (unknown model id 'claude-haiku-5-5'")
