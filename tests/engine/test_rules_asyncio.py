"""AS001: blocking calls inside async def."""

from __future__ import annotations

import pytest

from tests.engine.conftest import CheckRule, expected_lines, src

AS001_FIRES = {
    "time_sleep": src(
        """
        import time

        async def warm_up():
            time.sleep(1)  # HIT
        """
    ),
    "aliased_module_and_from_import": src(
        """
        import time as t
        from time import sleep

        async def retry():
            t.sleep(0.5)  # HIT
            for _ in range(3):
                sleep(1)  # HIT
        """
    ),
    "requests_and_urllib": src(
        """
        import urllib.request

        import requests

        async def notify(url):
            requests.post(url, json={"ok": True})  # HIT
            with urllib.request.urlopen(url) as response:  # HIT
                return response.read()
        """
    ),
    "builtin_open_in_a_comprehension": src(
        """
        async def load(paths):
            return [open(p).read() for p in paths]  # HIT
        """
    ),
    "builtin_open_next_to_a_method_called_open": src(
        """
        class Connection:
            def open(self):
                return self

        async def read_config(path):
            with open(path) as f:  # HIT
                return f.read()
        """
    ),
    "subprocess_and_os_system": src(
        """
        import os
        import subprocess

        async def deploy():
            if True:
                subprocess.run(["make", "deploy"], check=True)  # HIT
            os.system("clear")  # HIT
        """
    ),
}

AS001_QUIET = {
    "async_counterparts": src(
        """
        import asyncio

        import aiofiles
        import httpx

        async def work(url):
            await asyncio.sleep(1)
            async with httpx.AsyncClient() as client:
                await client.get(url)
            async with aiofiles.open("x") as f:
                return await f.read()
        """
    ),
    "blocking_calls_in_sync_functions": src(
        """
        import time

        import requests

        def poll(url):
            time.sleep(1)
            return requests.get(url)
        """
    ),
    "nested_sync_def_and_lambda_run_in_a_thread": src(
        """
        import asyncio
        import time

        async def handler(path):
            def read():
                with open(path) as f:
                    return f.read()

            data = await asyncio.to_thread(read)
            await asyncio.get_running_loop().run_in_executor(None, lambda: time.sleep(1))
            await asyncio.to_thread(time.sleep, 1)
            return data
        """
    ),
    "shadowed_names": src(
        """
        from aiofiles import open

        async def handler(requests, key):
            requests.get(key)
            async with open("data.txt") as f:
                return await f.read()
        """
    ),
    "parameter_hides_the_imported_module": src(
        """
        import time

        import requests

        async def handler(requests, time):
            requests.get("k")
            time.sleep(1)
        """
    ),
    "local_variable_called_requests_and_own_open": src(
        """
        async def handler(key):
            requests = {"a": 1}
            return requests.get(key)

        class Store:
            def open(self):
                pass

        async def use(store: Store):
            store.open()
        """
    ),
}


@pytest.mark.parametrize("source", AS001_FIRES.values(), ids=AS001_FIRES.keys())
def test_as001_fires_on_blocking_call_in_async_def(check_rule: CheckRule, source: str) -> None:
    assert check_rule("AS001", source) == expected_lines(source) != []


@pytest.mark.parametrize("source", AS001_QUIET.values(), ids=AS001_QUIET.keys())
def test_as001_ignores_async_code_threads_and_lookalikes(
    check_rule: CheckRule, source: str
) -> None:
    assert check_rule("AS001", source) == []


def test_as001_builtin_open_is_important_with_lower_confidence(tmp_path: object) -> None:
    from pathlib import Path

    from reviewer.engine import review

    root = Path(str(tmp_path))
    (root / "a.py").write_text("import time\n\nasync def f():\n    open('x')\n    time.sleep(1)\n")
    issues = review(root, rule_ids=["AS001"]).issues
    assert [(i.line, i.confidence, i.severity) for i in issues] == [
        (4, 80, "important"),
        (5, 95, "critical"),
    ]
