"""``reviewdeck gate``: ask a Reviewdeck server for a project's quality gate, for CI.

Exit status: 0 the gate passed, 1 it failed, 2 it cannot be told (no verdict yet, bad
token, unknown project, server unreachable). Plain ``urllib``: no Django here.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.parse
import urllib.request

PASSED, FAILED, UNKNOWN = 0, 1, 2


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def check_gate(url: str, project: str, token: str, timeout: float = 30.0) -> int:
    base = url.rstrip("/")
    if not base.startswith(("https://", "http://")):
        sys.stderr.write("reviewdeck: --url must start with https:// (or http://)\n")
        return UNKNOWN
    if not token:
        sys.stderr.write("reviewdeck: give --token or set REVIEWDECK_TOKEN\n")
        return UNKNOWN
    endpoint = f"{base}/api/v1/projects/{urllib.parse.quote(project, safe='')}/gate"
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        endpoint, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        why = {401: "the token was refused", 404: f"no project {project!r} for this token"}
        sys.stderr.write(f"reviewdeck: {why.get(exc.code, f'the server answered {exc.code}')}\n")
        return UNKNOWN
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        sys.stderr.write(f"reviewdeck: cannot reach {base}: {reason}\n")
        return UNKNOWN
    status = data.get("status")
    scan = data.get("scan_id")
    baseline = data.get("baseline") or "the first scan"
    if status == "passed":
        _say(f"Quality gate of {project}: passed (scan #{scan}, new code since {baseline}).")
        return PASSED
    if status == "failed":
        _say(f"Quality gate of {project}: FAILED (scan #{scan}, new code since {baseline}):")
        for failure in data.get("failures", []):
            _say(f"  - {failure}")
        return FAILED
    _say(f"Quality gate of {project}: no verdict yet (no scan has finished).")
    return UNKNOWN
