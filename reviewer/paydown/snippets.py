"""Running LibCST on the smallest statements that change, not on the whole file.

A LibCST pass over a whole module costs about a second in Python; a repository with
hundreds of files to rewrite would take minutes. The rewrites here only need the class
or statement they change, so each is parsed on its own: its lines as they are, behind an
``if True:`` line when indented (so nothing is re-indented and strings stay intact),
and the result is put back in place of the same lines.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

# (snippet module, line offset: snippet line + offset = file line) -> new module
SnippetStep = Callable[[cst.Module, int], cst.Module]


@dataclass
class Snippet:
    first: int  # 1-based, inclusive, whole lines
    last: int
    steps: list[SnippetStep]


def statement_lines(node: ast.AST) -> tuple[int, int]:
    first = getattr(node, "lineno", 1)
    decorators = getattr(node, "decorator_list", None) or []
    if decorators:
        first = min(first, *(d.lineno for d in decorators))
    return first, getattr(node, "end_lineno", None) or first


def merge(snippets: list[Snippet]) -> list[Snippet]:
    """Overlapping line ranges become one snippet running every step of them."""
    merged: list[Snippet] = []
    for snippet in sorted(snippets, key=lambda s: (s.first, -s.last)):
        if merged and snippet.first <= merged[-1].last:
            last = merged[-1]
            last.last = max(last.last, snippet.last)
            last.steps.extend(snippet.steps)
        else:
            merged.append(Snippet(snippet.first, snippet.last, list(snippet.steps)))
    return merged


def run_snippets(code: str, snippets: list[Snippet]) -> tuple[str, list[int]]:
    """Apply the snippets bottom-up; returns the code and the first lines of snippets
    that could not be parsed on their own (left unchanged)."""
    lines = code.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    failed: list[int] = []
    for snippet in sorted(merge(snippets), key=lambda s: s.first, reverse=True):
        chunk = "".join(lines[snippet.first - 1 : snippet.last])
        indented = chunk[:1] in {" ", "\t"}
        wrapper = f"if True:{newline}" if indented else ""
        try:
            module = cst.parse_module(wrapper + chunk)
        except cst.ParserSyntaxError:
            failed.append(snippet.first)
            continue
        offset = snippet.first - 1 - (1 if wrapper else 0)
        for step in snippet.steps:
            module = step(module, offset)
        new = module.code
        if not new.startswith(wrapper):
            failed.append(snippet.first)
            continue
        lines[snippet.first - 1 : snippet.last] = [new[len(wrapper) :]]
    return "".join(lines), failed
