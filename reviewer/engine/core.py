"""``review()``: find the files, parse each once, run the selected rules, return plain data.

Nothing a reviewed repository contains may crash a review: unreadable files, syntax
errors, parser limits and failing rules all end up as a Note (or, for a syntax error, a
PARSE001 finding), and the rest of the files are still reviewed.
"""

from __future__ import annotations

import ast
import gc
import os
import re
import stat
import sys
import time
import warnings
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.engine import cache
from reviewer.engine.cache import file_key
from reviewer.engine.code_context import (
    DIALECT_RULES,
    chain_dialects,
    classify,
    guard_dialects,
    in_context,
    reported_in,
    runs_on,
)
from reviewer.engine.context import FileContext, ProjectContext, split_lines
from reviewer.engine.files import SourceError, check_relative, discover, printable, read_source
from reviewer.engine.merge import one_per_problem
from reviewer.engine.pinned_versions import PYDANTIC_V2_BREAKAGE_RULES, pydantic_v1_only
from reviewer.engine.profile import DEFAULT_PROFILE, Profile
from reviewer.engine.project_config import (
    apply_config,
    apply_profile,
    excluded,
    git_ignored,
    in_profile,
    kept_in_file,
    load_config,
    matches,
)
from reviewer.engine.registry import Hit, Rule, load_rules, ruleset_fingerprint, summary_name
from reviewer.engine.ruff import RuffRun, checklist_id
from reviewer.engine.types import CodeContext, Issue, Note, ReviewResult

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

PARSE_RULE_ID = "PARSE001"
#: More files than this (and jobs != 1) are reviewed by a process pool.
PARALLEL_MIN_FILES = 50
#: Longest snippet kept for a finding (a minified one-line file must not fill the database).
MAX_SNIPPET_CHARS = 1000
# SyntaxErrors that are CPython limits, not mistakes in the code.
_PARSER_LIMITS = ("too many nested parentheses", "too many nested blocks")
# SyntaxErrors that newer Python versions accept (PEP 758 unparenthesized except lists):
# a note, not a PARSE001 finding, since the code is valid for its own interpreter.
_NEWER_SYNTAX = ("multiple exception types must be parenthesized",)
# Jinja statements on their own line, or ``{{ name }}`` placeholders, in a file that does
# not parse.
_TEMPLATE_MARKUP = re.compile(r"^\s*\{%-?\s*\w+|\{\{\s*[\w.]+\s*\}\}", re.MULTILINE)
#: The engine's own per-file summary: dialect guards of a migration (see code_context).
DIALECT_SUMMARY = "reviewer.engine.core:dialect_guards"
#: The engine's own per-file summary: (functions, fully annotated functions) of
#: production code, for the typing coverage in the stats (instead of a finding per def).
TYPING_SUMMARY = "reviewer.engine.core:typing"
_SEVERITY_RANK = {"critical": 0, "important": 1, "suggestion": 2}


@dataclass(slots=True)
class FileOutcome:
    """What reviewing one file produced. ``unreadable`` means "do not conclude from the
    absence of findings here" (see ReviewResult.unreadable)."""

    path: str
    issues: list[Issue] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    reviewed: bool = False
    unreadable: bool = False
    summaries: dict[str, Any] = field(default_factory=dict)  # project-rule summaries by name
    context: CodeContext = "production"


def review(
    root: Path,
    files: Iterable[str] | None = None,
    *,
    agents: Collection[str] | None = None,
    rule_ids: Collection[str] | None = None,
    max_file_bytes: int = 1_000_000,
    jobs: int | None = None,
    ruff: bool = False,
    cache_dir: Path | None = None,
    profile: Profile | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ReviewResult:
    """Review the Python files under ``root`` (or only ``files``, relative POSIX paths).

    ``agents`` keeps the rules of those agents, ``rule_ids`` the rules whose id starts with
    one of the given prefixes (None = no filter). ``jobs`` is the number of worker
    processes (None = one per CPU, 1 = serial); small reviews always run serially.
    ``ruff`` also runs ruff once over the reviewed files (findings ``ruff:CODE``), for the
    checklist items ruff already covers; ``agents``/``rule_ids`` filter those too.
    ``cache_dir`` keeps each file's findings by content hash and rule set (see cache.py):
    an unchanged file is not parsed again, and ruff only runs on the files that changed.
    ``profile`` (default: the default profile) chooses the rules and adjusts findings (see
    profile.py); ``[tool.reviewdeck]`` in the repository applies on top of it. A rule that
    ``rule_ids`` names in full runs even when the profile leaves it out.
    ``progress(done, total)`` is called as files are reviewed (cached files count as done
    at once); the caller decides how often to report it.
    """
    started = time.perf_counter()
    root = Path(root)
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is not a directory")
    profile = DEFAULT_PROFILE if profile is None else profile
    named = {r.upper() for r in rule_ids} if rule_ids is not None else set()
    selected = [
        r
        for r in load_rules().select(agents, rule_ids)
        if r.id in named or in_profile(r.id, r.profile, profile)
    ]
    file_rules = tuple(r.id for r in selected if r.scope == "file" and r.check is not None)
    project_rules = [r for r in selected if r.scope == "project" and r.check is not None]
    summary_rules = tuple(r.id for r in project_rules if r.summarize is not None)
    report_parse = any(r.id == PARSE_RULE_ID for r in selected)

    if files is None:
        paths, notes = discover(root)
    else:
        paths, notes = _given_paths(root, files)
    config, config_notes = load_config(root)
    notes += config_notes
    ignored = git_ignored(root, paths)
    paths = [
        p
        for p in paths
        if p not in ignored
        and not excluded(p, config)
        and not (profile.exclude and matches(p, profile.exclude))
    ]

    run_ruff_too = ruff and (
        rule_ids is None or any(p.upper().startswith("RUFF") for p in rule_ids)
    )
    salt = "\0".join(
        [
            ruleset_fingerprint(agents, rule_ids),
            *file_rules,
            *summary_rules,
            str(report_parse),
            str(ruff),
        ]
    )
    cached: list[FileOutcome] = []
    keys: dict[str, str] = {}
    to_review: list[str] = []
    store = cache.Cache(cache_dir) if cache_dir is not None else None
    if store is not None:
        for rel in paths:
            key = file_key(salt, root, rel)
            if key is None:
                to_review.append(rel)
            else:
                keys[rel] = key
        entries = store.get_many(keys.values())
        for rel, key in keys.items():
            entry = entries.get(key)
            if entry is None:
                to_review.append(rel)
            else:
                cached.append(
                    FileOutcome(rel, entry[0], entry[1], reviewed=True, summaries=entry[2])
                )
        to_review.sort()
    else:
        to_review = list(paths)

    # ruff runs on the files to review while the rules do (it writes to a file, not a pipe).
    ruff_run = (
        RuffRun(root, _ruff_candidates(root, to_review, max_file_bytes)) if run_ruff_too else None
    )
    workers = _worker_count(jobs, len(to_review))
    analysed = (*file_rules, *summary_rules)
    ruff_result = ruff_run.finish_in_background() if ruff_run is not None else None
    total = len(paths)
    files_done = len(paths) - len(to_review)

    def reviewed_one() -> None:
        nonlocal files_done
        files_done += 1
        if progress is not None:
            progress(files_done, total)

    if progress is not None:
        progress(files_done, total)
    outcomes = _analyse_all(
        root, to_review, analysed, report_parse, max_file_bytes, workers, reviewed_one
    )

    result = ReviewResult(notes=notes)
    if workers > 1 and len(outcomes) < len(to_review):
        result.notes.append(Note(".", "the worker pool failed; the rest was reviewed serially"))
        done = {o.path for o in outcomes}
        rest = [p for p in to_review if p not in done]
        outcomes += _analyse_all(
            root, rest, analysed, report_parse, max_file_bytes, 1, reviewed_one
        )
    ruff_notes: list[Note] = []
    ruff_failed: dict[str, str] = {}
    if ruff_result is not None:
        ruff_issues, ruff_notes = ruff_result()
        assert ruff_run is not None
        ruff_failed = ruff_run.failed
        ruff_by_path: dict[str, list[Issue]] = {}
        for issue in ruff_issues:
            ruff_by_path.setdefault(issue.path, []).append(issue)
        for outcome in outcomes:
            if outcome.reviewed and not outcome.unreadable:
                found = ruff_by_path.get(outcome.path, [])
                outcome.issues.extend(_ruff_kept(outcome.issues, found, outcome.context))
    for outcome in outcomes:
        outcome.issues = kept_in_file(outcome.issues)  # cached as kept
    if store is not None:
        # Only complete results are cached: a file ruff failed on is reviewed again.
        store.put_many(
            {
                keys[o.path]: (o.issues, o.notes, o.summaries)
                for o in outcomes
                if o.path in keys and o.reviewed and not o.unreadable and o.path not in ruff_failed
            }
        )
        store.close()
    outcomes += cached
    reviewed: list[str] = []
    summaries: dict[str, dict[str, Any]] = {}
    for outcome in outcomes:
        result.issues.extend(outcome.issues)
        result.notes.extend(outcome.notes)
        if outcome.unreadable:
            result.unreadable.append(outcome.path)
            result.incomplete[outcome.path] = (
                outcome.notes[0].message if outcome.notes else "Python cannot parse it"
            )
        elif outcome.path in ruff_failed:
            result.incomplete[outcome.path] = ruff_failed[outcome.path]
        if outcome.reviewed:
            result.files_reviewed += 1
            reviewed.append(outcome.path)
        for name, data in outcome.summaries.items():
            summaries.setdefault(name, {})[outcome.path] = data

    if project_rules:
        # Cheap by design: rules that read every file combine the summaries made in the
        # file pass (cached with each file) instead of parsing the tree again.
        _run_project_rules(root, sorted(reviewed), project_rules, max_file_bytes, result, summaries)
    if run_ruff_too:
        prefixes = tuple(p.upper() for p in rule_ids) if rule_ids is not None else ("",)
        result.issues = [
            i
            for i in result.issues
            if not i.rule_id.startswith("ruff:")
            or (
                (agents is None or i.agent in agents)
                and i.rule_id.upper().startswith(prefixes)
                and (i.rule_id.upper() in named or _ruff_in_profile(i.rule_id, profile))
            )
        ]
        result.notes.extend(ruff_notes)
    result.issues = _with_dialects(root, result.issues, summaries.get(DIALECT_SUMMARY, {}))
    result.issues = _for_pinned_versions(root, result.issues)
    result.issues = one_per_problem(result.issues)

    # Each file's findings are de-duplicated and noqa-filtered already (cached that way).
    issues = apply_config(apply_profile(result.issues, profile), config)
    result.issues = sorted(issues, key=_issue_order)
    result.notes.sort(key=lambda n: (n.path, n.message))
    result.unreadable.sort()
    result.incomplete = dict(sorted(result.incomplete.items()))
    result.stats = {
        "files_found": len(paths),
        "rules": len(selected),
        "workers": workers,
        "duration_ms": round((time.perf_counter() - started) * 1000),
        # Typing coverage of production code (functions with every parameter and the
        # return annotated): one number instead of a finding per function. Flat values,
        # so a scan stores them with its other stats.
        **_typing_stats(summaries.get(TYPING_SUMMARY, {})),
    }
    return result


def _ruff_kept(native: list[Issue], found: list[Issue], context: CodeContext) -> list[Issue]:
    """ruff's findings minus those a native rule of the same checklist item already made on
    the same line (AS001 and ruff's ASYNC rules overlap on purpose), in the file's context."""
    taken = {(i.line, i.rule_id) for i in native}
    kept = []
    # Several ruff codes of one checklist row on one line (E722 + S110 on ``except:
    # pass``) are one problem: the most severe is kept.
    for issue in sorted(found, key=lambda i: (_SEVERITY_RANK[i.severity], i.rule_id)):
        key = (issue.line, checklist_id(issue.rule_id))
        if key in taken or not reported_in(issue.rule_id, context):
            continue
        taken.add(key)
        severity = in_context(issue.rule_id, issue.category, issue.severity, context)
        kept.append(replace(issue, context=context, severity=severity))
    return kept


def _ruff_in_profile(rule_id: str, profile: Profile) -> bool:
    from reviewer.engine.ruff_codes import lookup

    meta = lookup(rule_id.removeprefix("ruff:"))
    return in_profile(rule_id, meta.profile if meta is not None else "default", profile)


def _with_dialects(root: Path, issues: list[Issue], guards: dict[str, Any]) -> list[Issue]:
    """Migration findings get the dialects their chain runs on; rules about one dialect's
    behaviour leave chains that never run on it."""
    migrations = {i.path for i in issues if i.context == "migration"}
    if not migrations:
        return issues

    def read_text(rel: str) -> str | None:
        try:
            return read_source(root, rel, 1_000_000)
        except SourceError:
            return None

    dialects = chain_dialects(sorted(migrations | set(guards)), guards, read_text)
    kept = []
    for issue in issues:
        if issue.context == "migration":
            found = dialects.get(issue.path, "unknown")
            required = DIALECT_RULES.get(issue.rule_id)
            if required is not None and not runs_on(found, required):
                continue
            issue = replace(issue, dialects=found)
        kept.append(issue)
    return kept


def _for_pinned_versions(root: Path, issues: list[Issue]) -> list[Issue]:
    """Findings about what breaks on Pydantic v2 leave projects that pin v1 (nothing
    breaks there; the modernisation rules carry the migration debt)."""
    if not any(i.rule_id in PYDANTIC_V2_BREAKAGE_RULES for i in issues):
        return issues
    if not pydantic_v1_only(root):
        return issues
    return [i for i in issues if i.rule_id not in PYDANTIC_V2_BREAKAGE_RULES]


def _ruff_candidates(root: Path, paths: list[str], max_bytes: int) -> list[str]:
    """The files ruff may read: regular files (not links) within the size limit. Files the
    engine then finds unreadable (binary, not UTF-8) lose their ruff findings too."""
    kept = []
    for rel in paths:
        try:
            info = os.lstat(os.path.join(root, rel))
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_size <= max_bytes:
            kept.append(rel)
    return kept


#: Report order: by place, then rule and message (a C-level key: reviews sort 10^4-10^5).
_issue_order = attrgetter("path", "line", "column", "rule_id", "message")


def _given_paths(root: Path, files: Iterable[str]) -> tuple[list[str], list[Note]]:
    paths: set[str] = set()
    notes: list[Note] = []
    for rel in files:
        try:
            clean = check_relative(root, rel)
        except SourceError as exc:
            notes.append(Note(printable(rel), str(exc)))
            continue
        if clean.endswith(".py"):
            paths.add(clean)
    return sorted(paths), notes


def _worker_count(jobs: int | None, n_files: int) -> int:
    if jobs == 1 or n_files <= PARALLEL_MIN_FILES:
        return 1
    # Imported here: the pool's modules are a third of the standalone command's start-up,
    # and a warm or one-file review never needs them.
    import multiprocessing

    if multiprocessing.current_process().daemon:
        return 1  # a daemonic process (a prefork worker's child) may not have children
    if not _spawn_can_find_main():
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    wanted = jobs if jobs is not None else (cpus or 1)
    # At least a handful of files per worker, or starting the workers costs more than it saves.
    return max(1, min(wanted, n_files // 10))


def _spawn_can_find_main() -> bool:
    """A spawned worker re-imports the parent's ``__main__`` from its file; a script read
    from stdin has a file name that does not exist, and the workers would die at start."""
    main = sys.modules.get("__main__")
    if getattr(main, "__spec__", None) is not None:
        return True  # python -m ...: imported by name
    path = getattr(main, "__file__", None)
    return path is None or os.path.exists(path)


def _analyse_all(
    root: Path,
    paths: Sequence[str],
    rule_ids: tuple[str, ...],
    report_parse: bool,
    max_bytes: int,
    workers: int,
    reviewed_one: Callable[[], None],
) -> list[FileOutcome]:
    outcomes: list[FileOutcome] = []
    if workers <= 1:
        for p in paths:
            outcomes.append(analyse_file(str(root), p, rule_ids, report_parse, max_bytes))
            reviewed_one()
        return outcomes
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = _pool_context()
    chunk = max(1, len(paths) // (workers * 16))  # small chunks: workers finish together
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = pool.map(
                analyse_file,
                [str(root)] * len(paths),
                paths,
                [rule_ids] * len(paths),
                [report_parse] * len(paths),
                [max_bytes] * len(paths),
                chunksize=chunk,
            )
            for outcome in results:
                outcomes.append(outcome)
                reviewed_one()
    except (BrokenProcessPool, OSError):
        pass  # the caller reviews what is missing serially
    return outcomes


def _pool_context() -> BaseContext:
    """The ``forkserver`` start method with the engine preloaded: workers are forked from a
    small single-threaded server process (never from this one, which may run threads: a web
    server, a test runner, ruff's reader), so they start without importing anything; the
    server lives as long as this process, so later reviews reuse it."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["reviewer.engine.core", "reviewer.engine.rules"])
    return context


def analyse_file(
    root: str, rel: str, rule_ids: tuple[str, ...], report_parse: bool, max_bytes: int
) -> FileOutcome:
    """Read, parse and check one file (runs in a worker process when reviewing in parallel).

    The cyclic garbage collector is paused meanwhile: a syntax tree is thousands of
    container objects (no cycles), and the collections their allocation triggers would
    double the parse time."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return _analyse_file(root, rel, rule_ids, report_parse, max_bytes)
    finally:
        if paused:
            gc.enable()


def _analyse_file(
    root: str, rel: str, rule_ids: tuple[str, ...], report_parse: bool, max_bytes: int
) -> FileOutcome:
    outcome = FileOutcome(rel)
    try:
        source = read_source(Path(root), rel, max_bytes)
    except SourceError as exc:
        outcome.notes.append(Note(rel, str(exc)))
        outcome.unreadable = True
        return outcome
    try:
        tree = parse(source, rel)
    except SyntaxError as exc:
        outcome.unreadable = True  # its other findings are unknown this time, not fixed
        if any(limit in (exc.msg or "") for limit in _PARSER_LIMITS):
            outcome.notes.append(Note(rel, f"too deeply nested for the parser ({exc.msg})"))
            return outcome
        if any(newer in (exc.msg or "") for newer in _NEWER_SYNTAX):
            outcome.notes.append(
                Note(rel, f"syntax newer than the engine's parser, skipped ({exc.msg})")
            )
            return outcome
        if _TEMPLATE_MARKUP.search(source):
            # A code generator's Jinja template named .py is not the project's code.
            outcome.notes.append(Note(rel, "a template (Jinja markup), not Python: skipped"))
            return outcome
        outcome.reviewed = True
        if report_parse:
            outcome.issues.append(parse_issue(rel, source, exc))
        else:
            outcome.notes.append(Note(rel, f"syntax error at line {exc.lineno}: {exc.msg}"))
        return outcome
    except (RecursionError, MemoryError, ValueError) as exc:
        outcome.notes.append(
            Note(rel, f"too complex for the parser, skipped ({type(exc).__name__}: {exc})")
        )
        outcome.unreadable = True
        return outcome

    ctx = FileContext(rel, source, tree)
    outcome.reviewed = True
    outcome.context = context = classify(rel, source)
    if context == "migration":
        outcome.summaries[DIALECT_SUMMARY] = sorted(guard_dialects(source))
    elif context == "production":
        outcome.summaries[TYPING_SUMMARY] = typing_counts(ctx)
    registry = load_rules()
    for rule_id in rule_ids:
        rule = registry.get(rule_id)
        if rule is None:
            continue
        if rule.scope == "file" and not reported_in(rule.id, context):
            continue
        try:
            if rule.scope == "project":
                if rule.summarize is not None:
                    name = summary_name(rule.summarize)
                    if name not in outcome.summaries:
                        data = rule.summarize(ctx)
                        if data is not None:
                            outcome.summaries[name] = data
                continue
            hits = list(rule.run_file(ctx))
        except Exception as exc:
            outcome.notes.append(Note(rel, f"rule {rule.id} failed: {type(exc).__name__}: {exc}"))
            outcome.unreadable = True  # that rule's findings here are unknown, not fixed
            continue
        outcome.issues.extend(make_issue(rule, rel, ctx.lines, hit, context) for hit in hits)
    return outcome


def typing_counts(ctx: FileContext) -> list[int]:
    """[functions, fully annotated functions] of a file: every parameter but ``self``/
    ``cls`` and the return value annotated (``__init__`` needs no return annotation)."""
    functions = annotated = 0
    defs: list[ast.FunctionDef | ast.AsyncFunctionDef] = [
        *ctx.nodes(ast.FunctionDef),
        *ctx.nodes(ast.AsyncFunctionDef),
    ]
    for func in defs:
        functions += 1
        args = func.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        if params and params[0].arg in ("self", "cls"):
            params = params[1:]
        params += [a for a in (args.vararg, args.kwarg) if a is not None]
        if all(p.annotation is not None for p in params) and (
            func.returns is not None or func.name == "__init__"
        ):
            annotated += 1
    return [functions, annotated]


def _typing_stats(counts: dict[str, Any]) -> dict[str, object]:
    functions = sum(c[0] for c in counts.values())
    annotated = sum(c[1] for c in counts.values())
    stats: dict[str, object] = {"typing_functions": functions, "typing_annotated": annotated}
    if functions:
        stats["typing_coverage_percent"] = round(100 * annotated / functions, 1)
    return stats


def parse(source: str, path: str) -> ast.Module:
    """``ast.parse`` without the SyntaxWarnings (invalid escapes, ...) a repository's code
    would print, and without a ``-W error`` turning them into SyntaxErrors."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source, filename=path)


def parse_issue(path: str, source: str, exc: SyntaxError) -> Issue:
    """The PARSE001 finding for a file that does not parse."""
    rule = load_rules().get(PARSE_RULE_ID)
    assert rule is not None
    lines = split_lines(source)
    context = classify(path, source)
    line = min(max(exc.lineno or 1, 1), max(len(lines), 1))
    text = lines[line - 1] if lines else ""
    column = min(max((exc.offset or 1) - 1, 0), len(text))
    return Issue(
        rule_id=rule.id,
        path=path,
        line=line,
        column=column,
        title=rule.title,
        message=f"Python cannot parse this file: {exc.msg}.",
        severity=in_context(rule.id, rule.category, rule.severity, context),
        confidence=rule.confidence,
        category=rule.category,
        agent=rule.agent,
        debt_kind=rule.debt_kind,
        debt_minutes=rule.debt_minutes,
        snippet=text[:MAX_SNIPPET_CHARS],
        context=context,
    )


#: How many first lines of a file ``make_issue`` reads to classify it.
_CONTEXT_HEAD_LINES = 60


def make_issue(
    rule: Rule, path: str, lines: Sequence[str], hit: Hit, context: CodeContext | None = None
) -> Issue:
    """An Issue from a rule's hit: clamps the line, converts ast's byte column to a
    character column, copies the rule's metadata and lowers the severity to what the
    code's context allows (``context`` None: classified from the path and lines)."""
    if context is None:
        # the head of the file: an Alembic revision's down_revision sits in its first
        # twenty-odd lines, after the docstring and the imports
        context = classify(path, "\n".join(lines[:_CONTEXT_HEAD_LINES]) if lines else "")
    line = min(max(hit.line, 1), max(len(lines), 1))
    text = lines[line - 1] if lines else ""
    return Issue(
        rule_id=rule.id,
        path=path,
        line=line,
        column=_char_column(text, hit.column),
        title=rule.title,
        message=hit.message,
        severity=in_context(rule.id, rule.category, hit.severity or rule.severity, context),
        confidence=rule.confidence if hit.confidence is None else hit.confidence,
        category=rule.category,
        agent=rule.agent,
        debt_kind=rule.debt_kind,
        debt_minutes=rule.debt_minutes,
        snippet=text[:MAX_SNIPPET_CHARS],
        context=context,
    )


def _char_column(text: str, byte_column: int) -> int:
    if byte_column <= 0:
        return 0
    return len(text.encode("utf-8")[:byte_column].decode("utf-8", "ignore"))


def _run_project_rules(
    root: Path,
    paths: list[str],
    rules: list[Rule],
    max_bytes: int,
    result: ReviewResult,
    summaries: dict[str, dict[str, Any]],
) -> None:
    def load(rel: str) -> FileContext | None:
        try:
            source = read_source(root, rel, max_bytes)
            return FileContext(rel, source, parse(source, rel))
        except (SourceError, SyntaxError, RecursionError, MemoryError, ValueError):
            return None

    ctx = ProjectContext(root, paths, load, summaries)
    lines_of: dict[str, list[str]] = {}
    context_of: dict[str, CodeContext] = {}
    found: list[Issue] = []
    for rule in rules:
        try:
            hits = list(rule.run_project(ctx))
        except Exception as exc:
            result.notes.append(Note(".", f"rule {rule.id} failed: {type(exc).__name__}: {exc}"))
            result.failed_rules[rule.id] = f"the rule failed ({type(exc).__name__})"
            continue
        for hit in hits:
            try:
                path = check_relative(root, hit.path or "")
            except SourceError:
                result.notes.append(Note(".", f"rule {rule.id} gave an invalid path"))
                continue
            if path not in lines_of:
                loaded = ctx.loaded(path)
                lines_of[path] = loaded.lines if loaded else _lines_of(root, path, max_bytes)
                context_of[path] = classify(path, "\n".join(lines_of[path]))
            if reported_in(rule.id, context_of[path]):
                found.append(make_issue(rule, path, lines_of[path], hit, context_of[path]))
    result.issues.extend(kept_in_file(found))


def _lines_of(root: Path, rel: str, max_bytes: int) -> list[str]:
    """The lines of a non-Python file a project rule points at (e.g. a Dockerfile)."""
    try:
        return split_lines(read_source(root, rel, max_bytes))
    except SourceError:
        return []
