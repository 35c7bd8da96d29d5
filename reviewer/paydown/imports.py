"""Adding the imports a rewrite needs and dropping the ones it left unused, on the text.

Only top-level ``from x import a, b`` statements are edited, and only when they carry
no comment (rebuilding them would drop it); otherwise a new import line is added, or
an unused name simply stays imported. Names are sorted again when they were in
isort's order before, and a new name goes last when they were not.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable

LINE_LENGTH = 100


def _order_key(name: str) -> tuple[int, str]:
    """isort's order by type: CONSTANTS, Classes, then everything else."""
    bare = name.split(" as ")[0]
    if bare.isupper() and len(bare) > 1:
        return (0, bare)
    if bare[:1].isupper():
        return (1, bare)
    return (2, bare)


def _alias_text(alias: ast.alias) -> str:
    return f"{alias.name} as {alias.asname}" if alias.asname else alias.name


def _from_imports(tree: ast.Module, module: str) -> list[ast.ImportFrom]:
    return [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        and node.level == 0
        and node.module == module
        and not any(a.name == "*" for a in node.names)
    ]


def _statement_text(module: str, names: list[str], multiline: bool, newline: str) -> str:
    single = f"from {module} import {', '.join(names)}"
    if not multiline and len(single) <= LINE_LENGTH:
        return single + newline
    body = "".join(f"    {name},{newline}" for name in names)
    return f"from {module} import ({newline}{body}){newline}"


def _editable(lines: list[str], node: ast.stmt) -> bool:
    first, last = node.lineno, node.end_lineno or node.lineno
    text = "".join(lines[first - 1 : last])
    return node.col_offset == 0 and "#" not in text and ";" not in text


def _newline(lines: list[str]) -> str:
    return "\r\n" if lines and lines[0].endswith("\r\n") else "\n"


def add_imports(code: str, wanted: Iterable[tuple[str, str]]) -> str:
    by_module: dict[str, list[str]] = {}
    for module, name in wanted:
        by_module.setdefault(module, [])
        if name not in by_module[module]:
            by_module[module].append(name)
    for module, names in sorted(by_module.items()):
        plain = [n for n in names if not n]
        if plain:
            code = _add_plain_import(code, module)
        named = [n for n in names if n]
        if named:
            code = _add_module_names(code, module, named)
    return code


def _add_plain_import(code: str, module: str) -> str:
    tree = ast.parse(code)
    for node in tree.body:
        if isinstance(node, ast.Import) and any(
            a.name == module and not a.asname for a in node.names
        ):
            return code
    lines = code.splitlines(keepends=True)
    return _insert_statement(lines, tree, f"import {module}{_newline(lines)}", module)


def _add_module_names(code: str, module: str, names: list[str]) -> str:
    tree = ast.parse(code)
    lines = code.splitlines(keepends=True)
    newline = _newline(lines)
    existing = _from_imports(tree, module)
    present = {a.name for node in existing for a in node.names if not a.asname}
    missing = [n for n in names if n not in present]
    if not missing:
        return code
    target = next((node for node in existing if _editable(lines, node)), None)
    if target is not None:
        old = [_alias_text(a) for a in target.names]
        if old == sorted(old, key=_order_key):
            merged = sorted(old + missing, key=_order_key)
        else:
            merged = old + missing
        first, last = target.lineno, target.end_lineno or target.lineno
        multiline = last > first
        lines[first - 1 : last] = [_statement_text(module, merged, multiline, newline)]
        return "".join(lines)
    ordered = sorted(missing, key=_order_key)
    return _insert_statement(lines, tree, _statement_text(module, ordered, False, newline), module)


def _top(module: str) -> str:
    return module.split(".")[0]


def _is_stdlib(module: str) -> bool:
    return _top(module) in sys.stdlib_module_names


def _imported_module(node: ast.Import | ast.ImportFrom) -> str:
    if isinstance(node, ast.ImportFrom):
        return "." if node.level else node.module or ""
    return node.names[0].name


def _insert_statement(lines: list[str], tree: ast.Module, statement: str, module: str) -> str:
    """Put ``statement`` next to the imports of the same package, or of the standard
    library for a standard module, else after the last top-level import (or the
    module docstring)."""
    newline = _newline(lines)
    imports: list[ast.Import | ast.ImportFrom] = []
    start = 0
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            imports.append(node)
        elif (
            not imports
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            and node is tree.body[0]
        ):
            start = node.end_lineno or node.lineno
        else:
            break
    same = [n for n in imports if _top(_imported_module(n)) == _top(module)]
    stdlib = [
        n
        for n in imports
        if _is_stdlib(_imported_module(n)) and _imported_module(n) != "__future__"
    ]
    future = [n for n in imports if _imported_module(n) == "__future__"]
    if same:
        position = same[-1].end_lineno or same[-1].lineno
    elif _is_stdlib(module) and stdlib:
        position = stdlib[-1].end_lineno or stdlib[-1].lineno
    elif _is_stdlib(module) and imports:
        anchor = future[-1] if future else None
        position = (anchor.end_lineno or anchor.lineno) if anchor else imports[0].lineno - 1
        # After __future__ with a blank line; or first, with a blank line before the rest.
        statement = newline + statement if anchor is not None else statement + newline
    elif imports:
        position = imports[-1].end_lineno or imports[-1].lineno
    else:
        position = start
    if position and not lines[position - 1].endswith(("\n", "\r")):
        lines[position - 1] += newline
    lines.insert(position, statement)
    return "".join(lines)


def _used_names(tree: ast.Module) -> set[str]:
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Store):
            used.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # __all__ entries and string annotations
            used.update(node.value.replace("[", " ").replace("]", " ").replace(",", " ").split())
    return used


def remove_unused(
    code: str,
    candidates: Iterable[tuple[str, str]],
    drop: Iterable[tuple[str, str]] = (),
) -> str:
    """Drop ``from module import name`` for candidates the code no longer uses, and
    for the ``drop`` ones in any case (a name imported from elsewhere now)."""
    forced = set(drop)
    for module, name in sorted(set(candidates) | forced):
        tree = ast.parse(code)
        if (module, name) not in forced and name in _used_names(tree):
            continue
        lines = code.splitlines(keepends=True)
        newline = _newline(lines)
        for node in _from_imports(tree, module):
            kept = [a for a in node.names if not (a.name == name and not a.asname)]
            if len(kept) == len(node.names) or not _editable(lines, node):
                continue
            first, last = node.lineno, node.end_lineno or node.lineno
            text = (
                _statement_text(module, [_alias_text(a) for a in kept], last > first, newline)
                if kept
                else ""
            )
            lines[first - 1 : last] = [text]
            code = "".join(lines)
            break
    return code
