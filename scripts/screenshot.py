"""Take the README screenshot: `manage.py serve --demo` on a fresh data dir, log in with
the printed password, capture the demo project's page with Debian's Chromium.

    uv run python scripts/screenshot.py [docs/screenshot.png]
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import CHROMIUM_ARGS, chromium_path  # noqa: E402
from tests.services import free_port  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshot.png")
    data = tempfile.mkdtemp(prefix="reviewdeck-shot-")
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "REVIEWDECK_TEST_SERVICES"}
    }
    env["REVIEWDECK_DATA_DIR"] = data
    log = Path(data) / "serve.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "serve", f"127.0.0.1:{port}", "--demo"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        password = ""
        while time.monotonic() < deadline and not password:
            found = re.search(r"password '([^']+)'", log.read_text(errors="replace"))
            password = found[1] if found else ""
            time.sleep(0.5)
        if not password:
            raise SystemExit(log.read_text())
        while time.monotonic() < deadline + 120:  # the web server comes up after the login
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.5)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(180_000)  # a busy machine serves the first pages slowly
            base = f"http://127.0.0.1:{port}"
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", "admin")
            page.fill("#id_password", password)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            page.goto(f"{base}/projects/demo/")
            # The page follows the demo's history and scan on its own (live progress);
            # wait until nothing is under way any more.
            page.wait_for_selector("#scan-status .status-succeeded", timeout=300_000)
            page.wait_for_selector("#scan-status[data-polling]", state="detached")
            page.reload()
            page.screenshot(path=str(out), full_page=False)
            browser.close()
        print(f"wrote {out}")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)


if __name__ == "__main__":
    main()
