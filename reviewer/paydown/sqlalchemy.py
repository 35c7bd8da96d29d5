"""The SQLAlchemy 1.x -> 2.0 codemod of one file: SA001, SA002, SA004 (ours, LibCST).

Conservative by design: every rewrite keeps the statement's meaning (same table, same
rows, same objects); whatever the code does not prove is reported as a skip, with the
reason, and left exactly as it was. Each rewrite runs through LibCST on the statement
or class it changes (see snippets.py); imports are added and dropped at the end.
"""

from __future__ import annotations

import ast

from reviewer.paydown.imports import add_imports, remove_unused
from reviewer.paydown.index import FileView
from reviewer.paydown.names import ModuleNames
from reviewer.paydown.sa_base import BaseRewrite, RewriteBase, plan_base
from reviewer.paydown.sa_columns import RewriteColumns, plan_columns
from reviewer.paydown.sa_query import plan_queries, query_step
from reviewer.paydown.snippets import Snippet, run_snippets, statement_lines
from reviewer.paydown.types import Skip

RULES = ("SA001", "SA002", "SA004")


def _origin(spelled: str, names: ModuleNames) -> tuple[str, str] | None:
    module, _, name = names.imports.get(spelled, "").rpartition(".")
    return (module, name) if module and "." not in spelled else None


def transform(
    source: str,
    tree: ast.Module,
    names: ModuleNames,
    index: FileView,
    rules: frozenset[str],
    query_lines: set[int],
) -> tuple[str, list[Skip]]:
    lines = source.splitlines()
    skips: list[Skip] = []
    snippets: list[Snippet] = []
    adds: list[tuple[str, str]] = []
    removes: list[tuple[str, str]] = []
    if "SA001" in rules:
        queries, found = plan_queries(tree, lines, names, index, query_lines)
        skips += found
        for rewrite in queries.values():
            snippets.append(Snippet(rewrite.first, rewrite.last, [query_step(queries)]))
        if queries and "select" not in names.bound:
            adds.append(("sqlalchemy", "select"))
    if "SA002" in rules:
        columns, found = plan_columns(tree, names, index)
        skips += found
        owners = {id(c.owner): c.owner for c in columns.values()}
        for owner in owners.values():
            first, last = statement_lines(owner)
            snippets.append(Snippet(first, last, [lambda m, _o: m.visit(RewriteColumns(columns))]))
        for column in columns.values():
            adds += [("sqlalchemy.orm", "Mapped"), ("sqlalchemy.orm", "mapped_column")]
            adds += list(column.imports)
            module, _, name = column.column_origin.rpartition(".")
            if module:
                removes.append((module, name))
    bases: dict[str, BaseRewrite] = {}
    if "SA004" in rules:
        bases, found = plan_base(tree, lines, names)
        skips += found
        for base in bases.values():
            snippets.append(
                Snippet(base.first, base.last, [lambda m, _o: m.visit(RewriteBase(bases))])
            )
            adds.append(("sqlalchemy.orm", "DeclarativeBase"))
            origin = _origin(base.factory, names)
            if origin is not None:
                removes.append(origin)
    code = source
    if snippets:
        code, failed = run_snippets(source, snippets)
        if failed:
            for line in failed:
                skips += [
                    Skip(rule, line, "the statement could not be read on its own") for rule in RULES
                ]
            return source, skips
    code = add_imports(code, adds)
    code = remove_unused(code, removes)
    if "SA004" in rules and snippets:
        code = _class_spacing(code, {b.name for b in bases.values()})
    return code, skips


def _class_spacing(code: str, names: set[str]) -> str:
    """Two blank lines around the new base classes, as around any top-level class."""
    if not names:
        return code
    tree = ast.parse(code)
    lines = code.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name in names]
    for node in sorted(classes, key=lambda n: n.lineno, reverse=True):
        end = node.end_lineno or node.lineno
        after = lines[end : end + 2]
        if end < len(lines):
            missing = 2 - sum(1 for line in after if not line.strip())
            if after and after[0].strip():
                lines[end:end] = [newline] * 2
            elif missing > 0 and len(after) == 2 and after[1].strip():
                lines[end:end] = [newline] * missing
        first = node.lineno - 1
        before = lines[max(first - 2, 0) : first]
        blank = 0
        for line in reversed(before):
            if line.strip():
                break
            blank += 1
        if first > 0 and blank < 2:
            lines[first:first] = [newline] * (2 - blank)
    return "".join(lines)
