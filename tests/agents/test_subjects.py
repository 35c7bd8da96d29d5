"""Each agent is given the files its checklist is about, not only Python code, so its
findings on pyproject.toml, Dockerfiles, CI files or pytest.ini are accepted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reviewer.agents.catalog import BUILTIN_DIR
from reviewer.agents.definition import load_file, parse
from reviewer.agents.subjects import files_for, project_files
from reviewer.agents.tasks import run_claude_review
from reviewer.models import Finding, Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo
from tests.fake_anthropic import FakeAnthropic, done, prompt_of, tool_use, tools_reply

EXPERT = "python-backend-expert-enhanced"
FILES = {
    "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
    "pyproject.toml": '[project]\nname = "svc"\nversion = "1"\ndependencies = ["fastapi"]\n',
    "pytest.ini": "[pytest]\naddopts = -q\n",
    "Dockerfile": 'FROM python:3.12-slim\nCOPY . /app\nCMD ["python", "-m", "app"]\n',
    ".github/workflows/ci.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
    "alembic.ini": "[alembic]\nscript_location = migrations\n",
    "backend/docker-compose.yml": "services:\n  db:\n    image: postgres:16\n",
    ".env.example": "DATABASE_URL=\n",
    "uv.lock": "version = 1\n",
    "NOTES.txt": "not a project file\n",
}


def names(tmp_path: Path) -> list[str]:
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return sorted(["app/main.py", *project_files(tmp_path)])


def test_project_files_are_found_without_lock_files_or_unrelated_text(tmp_path: Path) -> None:
    assert names(tmp_path) == [
        ".env.example",
        ".github/workflows/ci.yml",
        "Dockerfile",
        "alembic.ini",
        "app/main.py",
        "backend/docker-compose.yml",
        "pyproject.toml",
        "pytest.ini",
    ]


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (
            EXPERT,
            {
                ".env.example",
                ".github/workflows/ci.yml",
                "Dockerfile",
                "app/main.py",
                "backend/docker-compose.yml",
                "pyproject.toml",
                "pytest.ini",
            },
        ),
        (
            "python-backend-reviewer",
            {".env.example", "alembic.ini", "app/main.py", "pyproject.toml", "pytest.ini"},
        ),
        (
            "python-backend-architect",
            {"Dockerfile", "app/main.py", "backend/docker-compose.yml", "pyproject.toml"},
        ),
    ],
)
def test_each_agent_gets_the_kinds_of_file_its_checklist_is_about(
    tmp_path: Path, agent: str, expected: set[str]
) -> None:
    assert set(files_for(load_file(BUILTIN_DIR / f"{agent}.md"), names(tmp_path))) == expected
    # alembic.ini is the reviewer's (its AL pack), Dockerfiles the architect's and expert's.


def test_an_agent_without_rule_packs_gets_every_project_file(tmp_path: Path) -> None:
    agent = parse("---\nname: team-own\ndescription: d\n---\nReview.\n", "x")
    assert set(files_for(agent, names(tmp_path))) == set(names(tmp_path))


def finding(path: str, line: int, code: str) -> dict[str, Any]:
    return tool_use(
        "report_finding",
        {
            "rule_id": "PR005",
            "category": "deployment",
            "severity": "important",
            "confidence": 90,
            "path": path,
            "line": line,
            "code": code,
            "title": "runs as root",
            "explanation": "The image has no USER line.",
        },
    )


@pytest.mark.django_db
def test_the_expert_reports_on_its_own_subject_and_the_reviewer_cannot(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    fake_api: FakeAnthropic,
    settings: Any,
) -> None:
    settings.CLAUDE_VERIFY_MODEL = ""  # no verification pass here: one agent's files only
    repo = make_repo("svc")
    repo.commit(FILES)
    project = project_factory(repo_url=str(repo.path), agents=[EXPERT, "python-backend-reviewer"])
    expert_body = load_file(BUILTIN_DIR / f"{EXPERT}.md").body

    def answer(request: dict[str, Any]) -> Any:
        body = request["body"]
        if len(body["messages"]) > 1:
            return done()
        if body["system"][0]["text"] == expert_body:
            return tools_reply(
                finding("Dockerfile", 3, 'CMD ["python", "-m", "app"]'),
                finding("pytest.ini", 2, "addopts = -q"),
                finding(".github/workflows/ci.yml", 4, "runs-on: ubuntu-latest"),
                finding("uv.lock", 1, "version = 1"),
            )
        return tools_reply(finding("Dockerfile", 3, 'CMD ["python", "-m", "app"]'))

    fake_api.when_empty = answer
    scan, _ = request_scan(project, Scan.Trigger.CLI)
    run_scan(scan.pk)
    run_claude_review(scan.pk)
    scan.refresh_from_db()
    firsts = [r for r in fake_api.requests if len(r["body"]["messages"]) == 1]
    (expert_prompt,) = [
        prompt_of(r) for r in firsts if r["body"]["system"][0]["text"] == expert_body
    ]
    for path in ("Dockerfile", "pytest.ini", ".github/workflows/ci.yml", "pyproject.toml"):
        assert f'<file path="{path}">' in expert_prompt
    assert '<file path="uv.lock">' not in expert_prompt
    (reviewer_prompt,) = [
        prompt_of(r) for r in firsts if r["body"]["system"][0]["text"] != expert_body
    ]
    assert '<file path="Dockerfile">' not in reviewer_prompt
    assert '<file path="pytest.ini">' in reviewer_prompt
    stored = {
        (f.agent, f.path)
        for f in Finding.objects.filter(project=project, origin=Finding.Origin.CLAUDE)
    }
    # The Dockerfile finding confirms the rule finding PR005 (same rule, nearby line)
    # instead of becoming a row of its own: verified all the same.
    assert stored == {(EXPERT, "pytest.ini"), (EXPERT, ".github/workflows/ci.yml")}
    assert (
        Finding.objects.get(project=project, rule_id="PR005", path="Dockerfile").corroborations == 1
    )
    expert = scan.agent_runs[EXPERT]
    assert expert["rejected"] == 1  # uv.lock is not a file under review
    assert expert["findings"] == 3 and expert["corroborated"] == 1
    assert scan.agent_runs["python-backend-reviewer"]["rejected"] == 1
