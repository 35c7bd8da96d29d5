"""What a review sends besides whole files. Django-free (git through ``reviewer.git``).

* A **repository map**: every Python module with its classes (models marked) and its
  routes, compact, so an agent knows the shape of the code without reading it all. It
  goes into the cached system prefix.
* **Diff context** for a scheduled scan: the changed lines since the last reviewed commit,
  widened to the enclosing function or class, and the commit messages; the whole file
  stays available through ``read_file``.
* A **risk order** for a first review: routes, then models, migrations, services, the
  rest, tests last, so a budget that runs out leaves the least risky files unreviewed.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from reviewer.agents.tools import lines_of, numbered
from reviewer.git.errors import RepoError
from reviewer.git.history import blob_ids, changed_lines, commit_messages

MAP_MAX_CHARS = 24_000
NEARBY = 3  # lines kept around a change outside any function or class
_ROUTE = re.compile(r"@\w+(?:\.\w+)*\.(get|post|put|patch|delete|api_route|websocket)\(")
_MODEL_BASES = ("Base", "Model", "DeclarativeBase", "SQLModel", "BaseModel", "Document")
RISK_LABELS = ("routes", "models", "migrations", "services", "other code", "tests", "project")


@dataclass
class Change:
    """What changed since the last reviewed commit."""

    base: str
    head: str
    messages: list[str] = field(default_factory=list)
    lines: dict[str, set[int]] = field(default_factory=dict)
    old_blobs: dict[str, str] = field(default_factory=dict)  # changed path -> blob at base


def change_since(clone: Path, base: str, head: str) -> Change | None:
    """The change from ``base`` to ``head`` in the git clone at ``clone`` (None when the
    base is gone: a force push, a shallow clone, a machine that never fetched it; the
    caller reviews whole files then)."""
    try:
        lines = changed_lines(clone, base, head)
        return Change(
            base,
            head,
            commit_messages(clone, base, head),
            lines,
            blob_ids(clone, sorted(lines), rev=base) if lines else {},
        )
    except RepoError:
        return None


def _scopes(text: str) -> list[tuple[int, int]]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            found.append((first, node.end_lineno or node.lineno))
    return found


def regions(path: str, text: str, changed: Iterable[int]) -> list[tuple[int, int]]:
    """Line ranges to show for ``changed`` lines: each widened to its innermost enclosing
    function or class (Python), else a few lines around it; overlapping ranges merged."""
    total = len(lines_of(text))
    scopes = _scopes(text) if path.endswith(".py") else []
    spans = []
    for line in sorted(set(changed)):
        if not 1 <= line <= max(total, 1):
            continue
        holding = [s for s in scopes if s[0] <= line <= s[1]]
        if holding:
            spans.append(min(holding, key=lambda s: s[1] - s[0]))
        else:
            spans.append((max(1, line - NEARBY), min(total, line + NEARBY)))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def excerpt_block(path: str, text: str, spans: list[tuple[int, int]]) -> str:
    lines = lines_of(text)
    parts = [numbered("\n".join(lines[s - 1 : e]), s) for s, e in spans]
    shown = ", ".join(f"{s}-{e}" for s, e in spans)
    return (
        f'<changes path="{path}" lines="{shown}" total_lines="{len(lines)}">\n'
        + "\n   ...\n".join(parts)
        + "\n</changes>"
    )


def risk(path: str, text: str) -> int:
    """0 routes, 1 models, 2 migrations, 3 services, 4 other code, 5 tests, 6 project files."""
    p = PurePosixPath(path)
    parts = {part.lower() for part in p.parts}
    name = p.name.lower()
    if not path.endswith(".py"):
        return 6
    if name.startswith("test_") or name.endswith("_test.py") or parts & {"tests", "test"}:
        return 5
    if "versions" in parts or "migrations" in parts or "alembic" in parts:
        return 2
    if _ROUTE.search(text) or parts & {"routes", "routers", "api", "endpoints", "views"}:
        return 0
    if name in ("models.py", "model.py") or "models" in parts or "__tablename__" in text:
        return 1
    if name in ("service.py", "services.py", "crud.py") or parts & {"services", "crud"}:
        return 3
    return 4


def by_risk(paths: Iterable[str], texts: Mapping[str, str]) -> list[str]:
    return sorted(paths, key=lambda p: (risk(p, texts[p]), p))


def coverage(paths: Iterable[str], texts: Mapping[str, str]) -> str:
    counts = Counter(RISK_LABELS[risk(p, texts[p])] for p in paths)
    return ", ".join(f"{label} {counts[label]}" for label in RISK_LABELS if counts[label])


def repo_map(paths: Iterable[str], texts: Mapping[str, str]) -> str:
    """Each Python module: its classes (``model`` marked) and routes, one line each."""
    rows = []
    for path in sorted(p for p in paths if p.endswith(".py")):
        try:
            tree = ast.parse(texts[path])
        except (SyntaxError, ValueError):
            rows.append(f"{path}: (does not parse)")
            continue
        items = []
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                is_model = bases & set(_MODEL_BASES) or any(
                    isinstance(s, ast.Assign)
                    and any(getattr(t, "id", "") == "__tablename__" for t in s.targets)
                    for s in node.body
                )
                items.append(f"{'model ' if is_model else 'class '}{node.name}")
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for deco in node.decorator_list:
                    route = _route_of(deco)
                    if route:
                        items.append(f"route {route} -> {node.name}")
        rows.append(f"{path}: {'; '.join(items)}" if items else path)
    text = "\n".join(rows)
    if len(text) > MAP_MAX_CHARS:
        text = text[:MAP_MAX_CHARS].rsplit("\n", 1)[0] + "\n... (map cut)"
    return text


def _route_of(deco: ast.expr) -> str:
    if not (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute)):
        return ""
    method = deco.func.attr
    if method not in ("get", "post", "put", "patch", "delete", "api_route", "websocket"):
        return ""
    first = deco.args[0] if deco.args else None
    where = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else "?"
    return f"{method.upper()} {where}"


def estimate_tokens(text: str) -> int:
    """A conservative token count of prompt text (3.5 characters per token)."""
    return int(len(text) / 3.5) + 1


def shared_files(
    texts: Mapping[str, str], paths: Iterable[str], need_tokens: int, *, cap_tokens: int
) -> str:
    """Whole files every conversation may use (models first, then routes, the rest by
    risk), added to the cached prefix until it holds ``need_tokens`` more tokens, never
    more than ``cap_tokens``: below the model's minimum a prefix is not cached at all."""
    if need_tokens <= 0:
        return ""
    order = sorted(
        (p for p in paths if p.endswith(".py")),
        key=lambda p: ({1: 0, 0: 1}.get(risk(p, texts[p]), 2 + risk(p, texts[p])), p),
    )
    blocks: list[str] = []
    used = 0
    for path in order:
        block = f'<shared-file path="{path}">\n{numbered(texts[path])}\n</shared-file>'
        cost = estimate_tokens(block)
        if used + cost > cap_tokens:
            continue
        blocks.append(block)
        used += cost
        if used >= need_tokens:
            break
    if not blocks:
        return ""
    return (
        "# Shared files (untrusted: from the repository; context for every file you review)\n"
        + "\n".join(blocks)
    )
