"""What a Claude review costs: a first review of a real repository (~100 files) and the
review after a one-file change, against the local Messages API server.

The repository (default: fastapi-users under /work/realrepos, or --repo PATH) is copied
into a fresh git repository; a project with the three built-in agents is scanned (rules,
then the live Claude part), one line of one route module is changed and committed, and
the project is scanned again (a scheduled scan: diff context since the reviewed commit).
With --batches the project uses Message Batches: both scheduled reviews go as one batch
each (batch prices, input counted with count_tokens first), collected by a poll.
The local server (tests/fake_anthropic.py) computes cache usage from each request the
way the API does (breakpoints, lookback, the model's minimum), answers every
conversation with one tool call and a closing summary, and the verification pass with a
verdict. The figures are the product's own accounting (Scan tokens and cost at the
configured prices) plus the server's count of requests.

    uv run python -m bench.claude_bench [--repo PATH] [--batches]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.harness import django_on_fresh_postgres

DEFAULT_REPO = Path("/work/realrepos/fastapi-users+fastapi-users@9ef8cd826198")
GIT = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, env={**os.environ, **GIT}
    )


def copy_repo(source: Path, dest: Path) -> int:
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".git", "node_modules"))
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "import")
    return sum(1 for p in dest.rglob("*") if p.is_file() and ".git" not in p.parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=DEFAULT_REPO)
    parser.add_argument("--batches", action="store_true", help="review through Message Batches")
    args = parser.parse_args()

    with django_on_fresh_postgres("claude-bench-") as base:
        from django.conf import settings

        from tests.fake_anthropic import FakeAnthropic, done, tokens_of, tool_use, tools_reply
        from tests.fake_anthropic import verdict as verdict_reply

        fake = FakeAnthropic().start()
        settings.ANTHROPIC_API_KEY = "sk-bench-not-a-key"
        settings.ANTHROPIC_BASE_URL = fake.url
        settings.REVIEWDECK_LOCAL_REPO_ROOTS = [base.resolve()]
        settings.REVIEWDECK_WORKDIR = base / "work"
        # No budget may cut the first review short: the bench measures a whole review.
        settings.CLAUDE_RUN_BUDGET = {}
        settings.CLAUDE_SCAN_BUDGET = {}
        settings.CLAUDE_CONVERSATION_BUDGET = {}

        from django.contrib.auth.models import Group

        from reviewer.agents.batch import poll_batch
        from reviewer.agents.catalog import price_for, resolve_model
        from reviewer.agents.pricing import min_cache_tokens
        from reviewer.agents.tasks import run_claude_review
        from reviewer.models import Project, Scan
        from reviewer.scanning import request_scan, run_scan

        fake.simulate_cache = True
        fake.min_cache_tokens = min_cache_tokens(price_for(resolve_model("inherit")))

        def answer(request: dict[str, Any]) -> Any:
            body = request["body"]
            if args.batches:
                return done(output_tokens=300)  # one answer: no tool can be answered
            if len(body["messages"]) == 1:
                return tools_reply(tool_use("list_files", {"path": "."}), output_tokens=300)
            return done(output_tokens=150)

        def checker(request: dict[str, Any]) -> Any:
            return verdict_reply(True, 90, input_tokens=tokens_of(request["body"]))

        fake.when_empty = answer
        fake.batch_polls_before_end = 0
        fake.verifier = checker

        repo = base / "repo"
        count = copy_repo(args.repo, repo)
        team = Group.objects.create(name="bench")
        project = Project.objects.create(
            name="bench",
            slug="bench",
            repo_url=str(repo),
            branch="main",
            team=team,
            use_batches=args.batches,
            agents=[
                "python-backend-reviewer",
                "python-backend-architect",
                "python-backend-expert-enhanced",
            ],
        )

        def sent() -> int:
            """Messages requests: live turns, batched requests and verification calls."""
            batched = [r for r in fake.requests if r["path"] == "/v1/messages/batches"]
            live = [r for r in fake.requests if r["path"] == "/v1/messages"]
            items = sum(len(r["body"]["requests"]) for r in batched)
            return len(live) + items + len(fake.verifications)

        def review(trigger: str) -> dict[str, Any]:
            before_requests = sent()
            scan, _ = request_scan(project, trigger)
            run_scan(scan.pk)
            if run_claude_review(scan.pk) == "batched":
                poll_batch(scan.pk)
            scan.refresh_from_db()
            statuses = {n: r.get("status") for n, r in scan.agent_runs.items()}
            return {
                "requests": sent() - before_requests,
                "input": scan.input_tokens + scan.cache_read_tokens + scan.cache_write_tokens,
                "uncached": scan.input_tokens,
                "cache_read": scan.cache_read_tokens,
                "cache_write": scan.cache_write_tokens,
                "output": scan.output_tokens,
                "cost": scan.cost_usd,
                "statuses": statuses,
                "coverage": {n: r.get("coverage", "") for n, r in scan.agent_runs.items()},
                "sent": sum(int(r.get("files_sent", 0)) for r in scan.agent_runs.values()),
            }

        first = review(Scan.Trigger.SCHEDULE)
        target = next(
            p
            for p in sorted(repo.rglob("*.py"))
            if "router" in p.parts or p.parent.name == "router"
        )
        text = target.read_text()
        target.write_text(text.replace("\n", "\n# reviewed change\n", 1))
        git(repo, "commit", "-q", "-am", f"change one line of {target.relative_to(repo)}")
        second = review(Scan.Trigger.SCHEDULE)
        fake.stop()

    model = resolve_model("inherit")
    how = "Message Batches" if args.batches else "live"
    print(f"repository: {args.repo.name} ({count} files), model {model}, three agents, {how}")
    print(f"changed file: {target.relative_to(repo)}")
    header = f"{'':24}{'requests':>9}{'input sent':>12}{'cache read':>12}{'cache write':>12}"
    print(header + f"{'uncached':>10}{'output':>9}{'files':>7}{'dollars':>10}")
    for label, row in (("first review", first), ("one-file change", second)):
        print(
            f"{label:24}{row['requests']:>9}{row['input']:>12}{row['cache_read']:>12}"
            f"{row['cache_write']:>12}{row['uncached']:>10}{row['output']:>9}{row['sent']:>7}"
            f"{row['cost']:>10.4f}"
        )
    ratio = (second["cost"] / first["cost"] * 100) if first["cost"] else Decimal(0)
    print(f"one-file change / first review: {ratio:.2f} % of the dollars (goal: under 5 %)")
    print(f"statuses: first {first['statuses']}; change {second['statuses']}")
    for name, text in first["coverage"].items():
        print(f"  {name}: {text}")
    for name, text in second["coverage"].items():
        print(f"  {name} (change): {text}")


if __name__ == "__main__":
    main()
