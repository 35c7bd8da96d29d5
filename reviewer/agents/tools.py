"""The read-only tools a Claude agent gets, confined to one checkout. Django-free.

Everything the model sends is untrusted: a path must be relative, without ``..``, NUL or a
symbolic link on the way (links are never followed, even inside the checkout), and every
answer is bounded. Nothing is ever executed. ``grep`` is a fixed-string search, so a
hostile pattern cannot make a regular expression backtrack for minutes.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reviewer.engine.files import SKIP_DIRS, SourceError, check_relative, read_source

MAX_LIST_ENTRIES = 500
MAX_READ_LINES = 400
MAX_GREP_MATCHES = 200
MAX_GREP_FILES = 5000
SEVERITIES = ("critical", "important", "suggestion")
READ_TOOLS = ("list_files", "read_file", "grep")
#: Claude Code tool names (and our own) to the read-only tool that does the same here.
#: Tools that write or run something (Bash, Edit, Write, ...) have no counterpart.
_TOOL_NAMES = {
    "read": "read_file",
    "glob": "list_files",
    "ls": "list_files",
    "grep": "grep",
    "read_file": "read_file",
    "list_files": "list_files",
}


def read_tools_for(declared: tuple[str, ...]) -> tuple[str, ...]:
    """The read-only tools an agent gets from its ``tools:`` line. Like Claude Code, no
    line means every tool; ``Read(src/**)``-style scopes count as the tool."""
    if not declared:
        return READ_TOOLS
    wanted = {_TOOL_NAMES.get(name.split("(")[0].strip().lower(), "") for name in declared}
    return tuple(name for name in READ_TOOLS if name in wanted)


class ToolError(Exception):
    """Answered to the model as a tool error (``is_error``), so it can correct itself."""


def lines_of(text: str) -> list[str]:
    """The lines of a file as git and editors number them: split at "\n" only (a "\r"
    before it dropped). ``str.splitlines()`` also splits at form feeds, U+2028 and other
    separators, which would shift every later line number."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def numbered(text: str, start: int = 1) -> str:
    """Source lines as ``  42| code``: the form the prompt and read_file use."""
    lines = lines_of(text)
    width = max(4, len(str(start + len(lines))))
    return "\n".join(f"{n:>{width}}| {line}" for n, line in enumerate(lines, start=start))


class ReportedFinding(BaseModel):
    """The input schema of ``report_finding``: our finding shape."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    rule_id: str = Field(default="", max_length=20, description="A checklist rule id, or empty")
    category: str = Field(min_length=1, max_length=30, pattern=r"^[a-z][a-z0-9_-]*$")
    severity: str = Field(pattern=r"^(critical|important|suggestion)$")
    confidence: int = Field(ge=0, le=100)
    path: str = Field(min_length=1, max_length=1000)
    line: int = Field(ge=1)
    code: str = Field(min_length=1, max_length=2000, description="The flagged line, quoted")
    title: str = Field(min_length=1, max_length=200)
    explanation: str = Field(min_length=1, max_length=4000)
    suggested_fix: str = Field(default="", max_length=4000)


class _ListInput(BaseModel):
    path: str = "."


class _ReadInput(BaseModel):
    path: str
    start_line: int | None = Field(default=None, ge=1)
    end_line: int | None = Field(default=None, ge=1)


class _GrepInput(BaseModel):
    text: str = Field(min_length=1, max_length=200)
    path: str = "."


def tool_schemas(read_tools: tuple[str, ...] = READ_TOOLS) -> list[dict[str, Any]]:
    """The tool definitions sent with a request: the agent's read-only tools, then
    ``report_finding``."""
    finding_schema = ReportedFinding.model_json_schema()
    finding_schema.pop("title", None)
    every = [
        {
            "name": "list_files",
            "description": "List the files under a folder of the repository (relative path).",
            "input_schema": {
                "type": "object",
                "properties": {"path": {"type": "string", "description": "Folder, default ."}},
            },
        },
        {
            "name": "read_file",
            "description": (
                "Read a repository file, optionally a line range. Lines come numbered as "
                f"'  42| code'; at most {MAX_READ_LINES} lines per call."
            ),
            "input_schema": {
                "type": "object",
                "properties": {
                    "path": {"type": "string"},
                    "start_line": {"type": "integer", "minimum": 1},
                    "end_line": {"type": "integer", "minimum": 1},
                },
                "required": ["path"],
            },
        },
        {
            "name": "grep",
            "description": "Find lines containing a fixed text (not a regex) under a folder.",
            "input_schema": {
                "type": "object",
                "properties": {"text": {"type": "string"}, "path": {"type": "string"}},
                "required": ["text"],
            },
        },
        {
            "name": "report_finding",
            "description": (
                "Report one problem. 'code' must quote the flagged line exactly as it is in "
                "the file; findings whose quote is not found are discarded."
            ),
            "input_schema": finding_schema,
        },
    ]
    return [t for t in every if t["name"] in read_tools or t["name"] == "report_finding"]


@dataclass
class Checkout:
    """Read-only access to a checkout for the model."""

    root: Path
    max_bytes: int = 1_000_000

    def clean(self, rel: object) -> str:
        """A safe relative POSIX path inside the checkout, or ToolError."""
        if not isinstance(rel, str) or not rel.strip():
            raise ToolError("path must be a non-empty relative path")
        if "\x00" in rel or "\\" in rel:
            raise ToolError("path contains a forbidden character")
        rel = rel.strip()
        if rel in (".", "./"):
            return "."
        if PurePosixPath(rel).is_absolute() or rel.startswith("~"):
            raise ToolError("path must be relative to the repository root")
        try:
            clean = check_relative(self.root, rel)
        except SourceError as exc:
            raise ToolError(str(exc)) from None
        if (self.root / clean).is_symlink():
            raise ToolError("symbolic links are not followed")
        return clean

    def read_text(self, rel: str) -> str:
        clean = self.clean(rel)
        try:
            return read_source(self.root, clean, self.max_bytes)
        except SourceError as exc:
            raise ToolError(f"{clean}: {exc}") from None

    def _walk(self, rel: str) -> list[str]:
        clean = self.clean(rel)
        base = self.root if clean == "." else self.root / clean
        try:
            info = os.lstat(base)
        except OSError:
            raise ToolError(f"{rel}: no such folder") from None
        if stat.S_ISREG(info.st_mode):
            return [clean]
        if not stat.S_ISDIR(info.st_mode):
            raise ToolError(f"{rel}: not a folder")
        found: list[str] = []
        for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
            here = Path(dirpath)
            dirnames[:] = sorted(
                d for d in dirnames if d not in SKIP_DIRS and not (here / d).is_symlink()
            )
            for name in sorted(filenames):
                full = here / name
                if not full.is_symlink():
                    found.append(full.relative_to(self.root).as_posix())
            if len(found) > MAX_GREP_FILES:
                break
        return found

    def list_files(self, raw: dict[str, Any]) -> str:
        args = _ListInput.model_validate(raw)
        files = self._walk(args.path)
        shown = files[:MAX_LIST_ENTRIES]
        more = f"\n... and {len(files) - len(shown)} more" if len(files) > len(shown) else ""
        return ("\n".join(shown) or "(no files)") + more

    def read_file(self, raw: dict[str, Any]) -> str:
        args = _ReadInput.model_validate(raw)
        lines = lines_of(self.read_text(args.path))
        start = args.start_line or 1
        end = min(args.end_line or len(lines), len(lines), start + MAX_READ_LINES - 1)
        if start > max(len(lines), 1):
            raise ToolError(f"{args.path} has only {len(lines)} lines")
        return numbered("\n".join(lines[start - 1 : end]), start)

    def grep(self, raw: dict[str, Any]) -> str:
        args = _GrepInput.model_validate(raw)
        needle = args.text
        matches: list[str] = []
        for rel in self._walk(args.path):
            try:
                text = read_source(self.root, rel, self.max_bytes)
            except SourceError:
                continue
            for number, line in enumerate(lines_of(text), start=1):
                if needle in line:
                    matches.append(f"{rel}:{number}: {line[:300]}")
                    if len(matches) >= MAX_GREP_MATCHES:
                        return "\n".join(matches) + "\n... (more matches not shown)"
        return "\n".join(matches) or "(no matches)"

    def run(self, name: str, raw: object, offered: tuple[str, ...] = READ_TOOLS) -> str:
        """Run a read-only tool; ToolError for anything wrong with the call (including a
        tool the agent was not given)."""
        if not isinstance(raw, dict):
            raise ToolError("tool input must be an object")
        handlers = {"list_files": self.list_files, "read_file": self.read_file, "grep": self.grep}
        handler = handlers.get(name) if name in offered else None
        if handler is None:
            raise ToolError(f"tool {name!r} is not available to this agent")
        try:
            return handler(raw)
        except ValidationError as exc:
            raise ToolError(describe_validation(exc)) from None


def describe_validation(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error["loc"]) or "input"
        parts.append(f"{where}: {error['msg']}")
    return "invalid input: " + "; ".join(parts)
