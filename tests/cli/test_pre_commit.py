"""The hook in ``.pre-commit-hooks.yaml``, run by a real ``pre-commit`` on a temporary
repository.

A remote hook of ``language: python`` is pip-installed from the hook's repository into a
fresh virtualenv, which needs the package index; the test has none. So it runs the
manifest's own hook (entry, file types, serial) as a ``repo: local`` hook with
``language: system``, the console script of this environment on PATH: everything after
the install step is pre-commit's real run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import GIT_ENV, ROOT, GitRepo

BIN = Path(sys.executable).parent


def pre_commit(repo: GitRepo, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **GIT_ENV,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "REVIEWDECK_CACHE_DIR": str(tmp_path / "cache"),
    }
    return subprocess.run(
        [str(BIN / "pre-commit"), *args],
        cwd=repo.path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_pre_commit_runs_the_hook_on_staged_python_files(tmp_path: Path) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["language"] == "python" and hook["entry"].startswith("reviewdeck ")
    local = {**hook, "language": "system", "args": ["--no-ruff", "--fail-on", "important"]}
    repo = GitRepo(tmp_path / "repo")
    repo.write(
        {
            ".pre-commit-config.yaml": yaml.safe_dump(
                {"repos": [{"repo": "local", "hooks": [local]}]}
            )
        }
    )
    repo.commit({"README.md": "hello\n", "app/ok.py": "async def f() -> int:\n    return 1\n"})

    # A blocking call in async code is Critical: the commit is refused.
    repo.write({"app/main.py": "import time\n\n\nasync def tick() -> None:\n    time.sleep(1)\n"})
    repo.git("add", "app/main.py")
    done = pre_commit(repo, tmp_path, "run")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "reviewdeck review" in done.stdout and "Failed" in done.stdout
    assert "app/main.py:5:5  CRITICAL  AS001" in done.stdout

    # A suggestion only is below --fail-on important: the hook passes.
    repo.write({"app/main.py": "import os\n\nDEBUG = os.environ.get('DEBUG')\n"})
    repo.git("add", "app/main.py")
    done = pre_commit(repo, tmp_path, "run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout

    # No Python file staged: pre-commit skips the hook.
    repo.commit(message="settings")
    repo.write({"README.md": "changed\n"})
    repo.git("add", "README.md")
    done = pre_commit(repo, tmp_path, "run")
    assert done.returncode == 0 and "Skipped" in done.stdout, done.stdout
