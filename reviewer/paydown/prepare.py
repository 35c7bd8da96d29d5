"""Prepare and verify a migration-debt patch for a directory (no Django, no network).

1. Review the tree with the engine; the findings of the kind's rules are the targets.
2. Index every class of the repository (``ast``), then rewrite only the files that
   have targets, with the kind's codemods (LibCST).
3. Verify: every changed file parses; a copy of the tree with the patch applied is
   reviewed again, and no finding of any rule may be new, and every target inside a
   rewritten block that the codemod did not report as left alone must be gone; the
   diff must apply to the original files with ``git apply --check``.

Nothing in the reviewed tree is imported or executed, and the tree is never modified.
"""

from __future__ import annotations

import ast
import codecs
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.engine import Issue, review
from reviewer.engine.files import SKIP_DIRS, SourceError, discover, read_source
from reviewer.engine.profile import Profile
from reviewer.engine.project_config import git_ignored
from reviewer.git.local import apply_check
from reviewer.paydown import pydantic, sqlalchemy
from reviewer.paydown.compare import LineMap, compare, line_map
from reviewer.paydown.diff import patch_text
from reviewer.paydown.index import FileView, RepoIndex, build_index, view_for
from reviewer.paydown.names import module_names
from reviewer.paydown.types import FileEdit, Skip

KINDS: dict[str, tuple[str, ...]] = {
    "pydantic": pydantic.RULES,
    "sqlalchemy": sqlalchemy.RULES,
}
DEFAULT_REASON = "not a pattern the codemod rewrites"
EVERY_RULE = Profile(extended=True)
GIT_APPLY_TIMEOUT = 60


class PaydownError(ValueError):
    """Bad input: an unknown kind or rule."""


@dataclass(frozen=True)
class Left:
    """A targeted finding the patch does not remove, and why."""

    issue: Issue
    reason: str


@dataclass
class PatchResult:
    kind: str
    rules: tuple[str, ...]
    diff: str = ""
    files: list[str] = field(default_factory=list)
    removed: list[Issue] = field(default_factory=list)
    left: list[Left] = field(default_factory=list)
    new: list[Issue] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    targets: int = 0
    seconds: float = 0.0

    @property
    def offered(self) -> bool:
        return bool(self.diff) and not self.problems

    @property
    def removed_minutes(self) -> int:
        return sum(i.debt_minutes for i in self.removed)

    @property
    def left_minutes(self) -> int:
        return sum(left.issue.debt_minutes for left in self.left)

    def summary(self) -> str:
        hours = self.removed_minutes / 60
        lines = [
            f"{self.kind}: {len(self.files)} file(s) changed, {len(self.removed)} of "
            f"{self.targets} finding(s) removed (~{hours:.1f} h of debt), "
            f"{len(self.left)} left for a person.",
        ]
        for left in self.left[:200]:
            issue = left.issue
            lines.append(
                f"  needs a person: {issue.rule_id} {issue.path}:{issue.line}: {left.reason}"
            )
        if len(self.left) > 200:
            lines.append(f"  ... and {len(self.left) - 200} more")
        for problem in self.problems:
            lines.append(f"not offered: {problem}")
        return "\n".join(lines)


def select_rules(kind: str, rules: Collection[str] | None) -> tuple[str, ...]:
    if kind not in KINDS:
        raise PaydownError(f"Unknown kind {kind!r}; expected one of: {', '.join(KINDS)}.")
    available = KINDS[kind]
    if not rules:
        return available
    unknown = [r for r in rules if r.upper() not in available]
    if unknown:
        raise PaydownError(
            f"{', '.join(unknown)}: not rewritten for {kind}; expected {', '.join(available)}."
        )
    return tuple(r for r in available if r in {x.upper() for x in rules})


def _copy_tree(root: Path, target: Path, ignored: set[str]) -> None:
    """A copy of the files the engine can see: hard links where possible (the patched
    files are replaced, never written through), no links, no ignored files."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not os.path.islink(Path(folder, d))]
        relative = Path(folder).relative_to(root)
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in files:
            source = Path(folder, name)
            rel = (relative / name).as_posix()
            if rel in ignored or source.is_symlink() or not source.is_file():
                continue
            try:
                os.link(source, target / relative / name)
            except OSError:
                shutil.copy2(source, target / relative / name)


def _all_files(root: Path) -> list[str]:
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        relative = Path(folder).relative_to(root)
        found.extend((relative / name).as_posix() for name in files)
    return found


def git_apply_check(originals: dict[str, str], diff: str) -> str | None:
    """None when ``diff`` applies cleanly to ``originals``; else git's complaint."""
    with tempfile.TemporaryDirectory(prefix="paydown-apply-") as tmp:
        base = Path(tmp)
        for path, text in originals.items():
            target = base / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8", "surrogateescape"))
        return apply_check(base, diff.encode("utf-8", "surrogateescape"), GIT_APPLY_TIMEOUT)


def _transform(
    kind: str,
    source: str,
    tree: ast.Module,
    index: FileView,
    rules: frozenset[str],
    query_lines: set[int],
) -> tuple[str, list[Skip]]:
    names = module_names(tree)
    if kind == "pydantic":
        return pydantic.transform(source, tree, names, index, rules)
    return sqlalchemy.transform(source, tree, names, index, rules, query_lines)


def prepare(
    root: Path,
    kind: str,
    rules: Collection[str] | None = None,
    *,
    ruff: bool = False,
    jobs: int | None = None,
    max_file_bytes: int = 1_000_000,
    cache_dir: Path | None = None,
) -> PatchResult:
    """Prepare the ``kind`` patch for the tree at ``root`` and verify it."""
    started = time.perf_counter()
    selected = select_rules(kind, rules)
    result = PatchResult(kind=kind, rules=selected)
    root = Path(root)
    with tempfile.TemporaryDirectory(prefix="paydown-") as tmp:
        cache = cache_dir or Path(tmp) / "cache"
        # Every rule, in or out of the default profile: "nothing new" means of any rule.
        options = {
            "ruff": ruff,
            "jobs": jobs,
            "max_file_bytes": max_file_bytes,
            "cache_dir": cache,
            "profile": EVERY_RULE,
        }
        before = review(root, **options)  # type: ignore[arg-type]
        targets = [i for i in before.issues if i.rule_id in selected]
        result.targets = len(targets)
        by_path: dict[str, list[Issue]] = {}
        for issue in targets:
            by_path.setdefault(issue.path, []).append(issue)

        edits = _rewrite(root, kind, frozenset(selected), by_path, max_file_bytes, jobs)
        changed = [e for e in edits if e.changed]
        skips = {(e.path, s.rule_id, s.line): s.reason for e in edits for s in e.skips}
        for edit in changed:
            try:
                ast.parse(edit.after)
            except SyntaxError as exc:
                result.problems.append(f"{edit.path} would not parse after the patch: {exc.msg}")
        result.files = [e.path for e in changed]
        result.diff = patch_text([(e.path, e.before, e.after) for e in changed])
        if not changed:
            result.left = [
                Left(i, skips.get((i.path, i.rule_id, i.line), DEFAULT_REASON)) for i in targets
            ]
            if targets:
                result.problems.append("no finding can be rewritten safely: all need a person")
            result.seconds = time.perf_counter() - started
            return result
        if result.problems:
            result.seconds = time.perf_counter() - started
            return result

        patched = Path(tmp) / "tree"
        ignored = git_ignored(root, _all_files(root))
        _copy_tree(root, patched, ignored)
        for edit in changed:
            target = patched / edit.path
            target.unlink()
            target.write_bytes(edit.after.encode("utf-8", "surrogateescape"))
        after = review(patched, **options)  # type: ignore[arg-type]

    maps: dict[str, LineMap] = {e.path: line_map(e.before, e.after) for e in changed}
    comparison = compare(before.issues, after.issues, maps)
    removed_ids = {id(i) for i in comparison.removed}
    result.removed = [i for i in targets if id(i) in removed_ids]
    result.left = [
        Left(i, skips.get((i.path, i.rule_id, i.line), DEFAULT_REASON))
        for i in targets
        if id(i) not in removed_ids
    ]
    result.new = comparison.new
    _verify(result, changed, maps, skips, comparison.removed)
    result.seconds = time.perf_counter() - started
    return result


def _verify(
    result: PatchResult,
    changed: list[FileEdit],
    maps: dict[str, LineMap],
    skips: dict[tuple[str, str, int], str],
    removed: list[Issue],
) -> None:
    for issue in result.new[:5]:
        result.problems.append(
            f"the patched code has a new finding: {issue.rule_id} at {issue.path}:{issue.line}"
        )
    if len(result.new) > 5:
        result.problems.append(f"... and {len(result.new) - 5} more new findings")
    removed_ids = {id(i) for i in removed}
    for left in result.left:
        issue = left.issue
        mapping = maps.get(issue.path)
        in_rewrite = mapping is not None and issue.line in mapping.old_block
        reported_left = (issue.path, issue.rule_id, issue.line) in skips
        if in_rewrite and not reported_left and id(issue) not in removed_ids:
            result.problems.append(
                f"{issue.rule_id} at {issue.path}:{issue.line} is still reported "
                "after its line was rewritten"
            )
    if not result.removed:
        result.problems.append("the patch removes no finding")
    complaint = git_apply_check({e.path: e.before for e in changed}, result.diff)
    if complaint is not None:
        result.problems.append(f"the patch does not apply cleanly: {complaint}")


def _rewrite(
    root: Path,
    kind: str,
    rules: frozenset[str],
    by_path: dict[str, list[Issue]],
    max_file_bytes: int,
    jobs: int | None = None,
) -> list[FileEdit]:
    if not by_path:
        return []
    paths, _ = discover(root)
    sources: dict[str, str] = {}
    trees: list[tuple[str, ast.Module]] = []
    parsed: dict[str, ast.Module] = {}
    # The index needs the classes of the whole repository; files without a class
    # statement add nothing to it and are not parsed.
    for path in paths:
        try:
            source = read_source(root, path, max_file_bytes)
        except SourceError:
            continue
        if path not in by_path and "class " not in source and not path.endswith("__init__.py"):
            continue
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        sources[path] = source
        parsed[path] = tree
        trees.append((path, tree))
    index = build_index(trees, sources)
    work: list[tuple[str, set[int]]] = []
    for path, issues in sorted(by_path.items()):
        if path not in parsed:
            continue
        with open(root / path, "rb") as handle:
            if handle.read(3) == codecs.BOM_UTF8:
                continue  # the engine reads it without the mark; a diff would not apply
        work.append((path, {i.line for i in issues if i.rule_id == "SA001"}))
    global _SHARED
    _SHARED = _Shared(kind, rules, sources, parsed, index)
    try:
        workers = _workers(jobs, len(work))
        if workers > 1:
            # Forked children see the index and the trees without pickling them.
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                return pool.map(_rewrite_one, work, chunksize=max(1, len(work) // (4 * workers)))
        return [_rewrite_one(item) for item in work]
    finally:
        _SHARED = None


@dataclass
class _Shared:
    kind: str
    rules: frozenset[str]
    sources: dict[str, str]
    parsed: dict[str, ast.Module]
    index: RepoIndex


_SHARED: _Shared | None = None
PARALLEL_FROM = 16  # files; below this a pool costs more than it saves


def _workers(jobs: int | None, files: int) -> int:
    if files < PARALLEL_FROM or jobs == 1 or multiprocessing.current_process().daemon:
        return 1
    return max(1, min(jobs or os.cpu_count() or 1, files // 8))


def _rewrite_one(item: tuple[str, set[int]]) -> FileEdit:
    shared = _SHARED
    assert shared is not None
    path, query_lines = item
    view = view_for(shared.index, path)
    source = shared.sources[path]
    after, skips = _transform(
        shared.kind, source, shared.parsed[path], view, shared.rules, query_lines
    )
    return FileEdit(path, source, after, skips)
