"""The code around a finding, as stored when a scan last wrote it, highlighted here.

The web never reads a worker's clone (a web server has none): the text comes from
``Finding.excerpt`` (``reviewer/findings/excerpts.py``). Pygments escapes everything it
emits, so its HTML is the only markup we mark safe; the text itself (repository content)
is never trusted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.utils.safestring import SafeString, mark_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer, TextLexer

from reviewer.models import Finding

_SCP_RE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>.+)$")
_HOSTS = {"github.com": "github", "gitlab.com": "gitlab", "bitbucket.org": "bitbucket"}


@dataclass(frozen=True)
class CodeContext:
    html: SafeString
    first_line: int
    stored: bool  # False: no excerpt was stored for it, only the flagged line is shown


def code_context(finding: Finding) -> CodeContext:
    if not finding.excerpt_start:
        return CodeContext(
            _render(finding.snippet, finding.line, finding.line, finding), finding.line, False
        )
    start = finding.excerpt_start
    return CodeContext(_render(finding.excerpt, start, finding.line, finding), start, True)


def _render(code: str, start: int, line: int, finding: Finding) -> SafeString:
    # stripnl=False: by default the lexers drop leading and trailing blank lines, so an
    # excerpt starting on a blank line would be numbered and highlighted one line off.
    lexer = (
        PythonLexer(stripnl=False)
        if finding.path.endswith((".py", ".pyi"))
        else TextLexer(stripnl=False)
    )
    formatter = HtmlFormatter(
        linenos="inline",
        linenostart=start,
        hl_lines=[line - start + 1],
        cssclass="highlight",
        wrapcode=True,
    )
    return mark_safe(highlight(code, lexer, formatter))  # noqa: S308 - pygments escapes


def web_url(repo_url: str, commit: str, path: str, line: int) -> str:
    """A link to the line on GitHub / GitLab / Bitbucket, or "" for other hosts."""
    if repo_url.startswith(("https://", "ssh://", "git+ssh://")):
        parts = urlsplit(repo_url)
        host, repo_path = (parts.hostname or "").lower(), parts.path
    else:
        match = _SCP_RE.match(repo_url)
        if not match:
            return ""
        host, repo_path = match["host"].lower(), match["path"]
    kind = _HOSTS.get(host)
    repo_path = repo_path.strip("/").removesuffix(".git")
    if not kind or repo_path.count("/") < 1 or not commit:
        return ""
    base = f"https://{host}/{quote(repo_path)}"
    file = quote(path)
    if kind == "github":
        return f"{base}/blob/{commit}/{file}#L{line}"
    if kind == "gitlab":
        return f"{base}/-/blob/{commit}/{file}#L{line}"
    return f"{base}/src/{commit}/{file}#lines-{line}"
