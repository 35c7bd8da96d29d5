"""Reading an agent file: Markdown with YAML front matter, in the Claude Code subagent format.

``name``, ``description`` and the body (the system prompt) are required; ``model`` (an alias
such as ``sonnet`` or a full model id; default ``inherit``), ``color`` and ``tools`` are
optional, and Reviewdeck adds ``rules:`` (rule-id prefixes the agent runs offline).

Real files are not always valid YAML: a plain ``description:`` often holds ``Examples:`` or
``Context: ...`` with literal ``\\n`` escapes, which a strict parser refuses. Like Claude
Code, we then fall back to reading ``key: value`` lines. Django-free.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
RULE_PREFIX_RE = re.compile(r"^[A-Z]{2,8}[0-9]{0,3}$")
MAX_FILE_CHARS = 200_000
MAX_FRONT_MATTER_CHARS = 32_000
MAX_NESTING = 20
SHOWN_CHARS = 60  # values quoted in error messages are cut here
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)(?:\r?\n)?^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)
_KEY_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(.*)$")


class AgentFileError(ValueError):
    """A malformed agent file. The message names the file and the problem."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


@dataclass(frozen=True)
class AgentDefinition:
    name: str
    description: str
    model: str
    body: str
    sha256: str
    source: str
    color: str = ""
    tools: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    @property
    def version(self) -> str:
        """The short content hash every Claude finding records."""
        return self.sha256[:16]


def content_hash(text: str) -> str:
    return hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8", "surrogatepass")).hexdigest()


def load_file(path: Path) -> AgentDefinition:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AgentFileError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AgentFileError(str(path), "is not UTF-8 text") from None
    return parse(text, str(path))


def parse(text: str, source: str) -> AgentDefinition:
    """Parse one agent file's text; ``source`` names it in error messages."""
    if len(text) > MAX_FILE_CHARS:
        raise AgentFileError(source, f"is larger than {MAX_FILE_CHARS} characters")
    if "\x00" in text:
        raise AgentFileError(source, "contains NUL characters")
    text = text.removeprefix("\ufeff")
    match = _FRONT_MATTER.match(text)
    if not match:
        raise AgentFileError(
            source, "has no front matter (the file must start with a '---' line and close it)"
        )
    meta = _front_matter(match.group(1), source)
    body = text[match.end() :].strip()

    name = _string(meta, "name", source, required=True)
    if not NAME_RE.match(name):
        raise AgentFileError(
            source, f"name {_shown(name)} must be lowercase letters, digits and hyphens"
        )
    description = _string(meta, "description", source, required=True)
    model = _string(meta, "model", source) or "inherit"
    color = _string(meta, "color", source)
    if not body:
        raise AgentFileError(source, "has an empty body (the body is the agent's system prompt)")
    return AgentDefinition(
        name=name,
        description=description,
        model=model,
        body=body,
        sha256=content_hash(text),
        source=source,
        color=color,
        tools=_tools(meta.get("tools"), source),
        rules=_rules(meta.get("rules"), source),
        extra={
            k: v
            for k, v in meta.items()
            if k not in {"name", "description", "model", "color", "tools", "rules"}
        },
    )


class _PlainYAMLError(yaml.YAMLError):
    """Front matter that uses what an agent file never needs (anchors, aliases, deep
    nesting): refused outright, never expanded, never read leniently."""


class _PlainLoader(yaml.SafeLoader):
    """SafeLoader without anchors and aliases (a few bytes of nested aliases expand to
    gigabytes) and with a nesting limit (deep brackets exhaust the stack)."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _PlainYAMLError("uses YAML anchors or aliases, which agent files may not")
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise _PlainYAMLError(f"nests deeper than {MAX_NESTING} levels")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _front_matter(block: str, source: str) -> dict[str, object]:
    if len(block) > MAX_FRONT_MATTER_CHARS:
        raise AgentFileError(
            source, f"front matter is larger than {MAX_FRONT_MATTER_CHARS} characters"
        )
    try:
        loaded = yaml.load(block, Loader=_PlainLoader) if block.strip() else {}  # noqa: S506 - a SafeLoader
    except _PlainYAMLError as exc:
        raise AgentFileError(source, f"front matter {exc}") from None
    except (yaml.YAMLError, RecursionError):
        loaded = None
    if isinstance(loaded, dict):
        return {str(k): v for k, v in loaded.items()}
    return _lenient(block, source)


def _lenient(block: str, source: str) -> dict[str, object]:
    """``key: value`` lines; indented lines continue the previous value."""
    meta: dict[str, object] = {}
    key: str | None = None
    for number, line in enumerate(block.splitlines(), start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0] in " \t" and key is not None:
            meta[key] = f"{meta[key]} {line.strip()}".strip()
            continue
        found = _KEY_LINE.match(line)
        if not found:
            raise AgentFileError(source, f"front matter line {number} is not 'key: value'")
        key = found.group(1)
        value = found.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        meta[key] = value
    return meta


def _shown(value: object) -> str:
    """A value for an error message, cut short (never echo a whole hostile value)."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


def _string(meta: dict[str, object], key: str, source: str, *, required: bool = False) -> str:
    value = meta.get(key)
    if value is None or value == "":
        if required:
            raise AgentFileError(source, f"front matter has no '{key}'")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise AgentFileError(source, f"'{key}' must be text, not {type(value).__name__}")
    return str(value).strip()


def _tools(value: object, source: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        items: list[object] = list(value.split(","))
    elif isinstance(value, list):
        items = value
    else:
        raise AgentFileError(source, "'tools' must be a comma-separated text or a list")
    tools = []
    for item in items:
        if not isinstance(item, str):
            raise AgentFileError(source, "'tools' must list tool names")
        if item.strip():
            tools.append(item.strip())
    return tuple(tools)


def _rules(value: object, source: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = [v for v in re.split(r"[,\s]+", value) if v]
    if not isinstance(value, list):
        raise AgentFileError(source, "'rules' must be a list of rule-id prefixes")
    rules = []
    for item in value:
        prefix = str(item).strip().upper()
        if not RULE_PREFIX_RE.match(prefix):
            raise AgentFileError(source, f"'rules' entry {_shown(item)} is not a rule-id prefix")
        rules.append(prefix)
    return tuple(rules)
