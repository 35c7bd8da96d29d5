"""Match this scan's finding candidates against a project's known findings.

Pure functions over plain objects, so the matching can be tested without a database.
Matching runs per file and per rule in passes, like SonarQube's issue tracking:

1. rule + line + line-content hash   (nothing moved)
2. rule + line-content hash          (code moved: lines added or removed above it)
3. rule + line                       (the flagged line itself was edited)

A known finding's path is first mapped through git's rename detection, so a renamed file
keeps its findings. Open findings are matched before fixed ones; a fixed finding is only
matched on content (passes 1 and 2), which is what "the same problem came back" means.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from reviewer.engine.types import Issue


class Known(Protocol):
    """The fields of a stored finding that tracking reads."""

    rule_id: str
    path: str
    line: int
    line_hash: str

    @property
    def is_open(self) -> bool: ...


@dataclass
class TrackResult[T]:
    matched: list[tuple[T, Issue]] = field(default_factory=list)
    new: list[Issue] = field(default_factory=list)
    gone: list[T] = field(default_factory=list)


def track[T: Known](
    known: Iterable[T],
    candidates: Iterable[Issue],
    renames: Mapping[str, str] | None = None,
) -> TrackResult[T]:
    """Pair candidates with known findings; what is left over is new (candidates) or gone."""
    renames = renames or {}
    result: TrackResult[T] = TrackResult()
    known_groups: dict[tuple[str, str], list[T]] = defaultdict(list)
    for finding in known:
        known_groups[(renames.get(finding.path, finding.path), finding.rule_id)].append(finding)
    candidate_groups: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for issue in candidates:
        candidate_groups[(issue.path, issue.rule_id)].append(issue)

    for key, issues in candidate_groups.items():
        pool = known_groups.pop(key, [])
        # Open first, so a still-open finding wins over a fixed one with the same content.
        pool.sort(key=lambda f: (not f.is_open, f.line))
        remaining_issues = list(issues)
        for key_fn, open_only in _PASSES:
            if not remaining_issues or not pool:
                break
            remaining_issues, pool = _match_pass(
                remaining_issues, pool, key_fn, open_only, result.matched
            )
        result.new.extend(remaining_issues)
        result.gone.extend(f for f in pool if f.is_open)

    for leftovers in known_groups.values():
        result.gone.extend(f for f in leftovers if f.is_open)
    return result


def _by_line_and_hash(line: int, digest: str) -> Hashable:
    return (line, digest)


def _by_hash(line: int, digest: str) -> Hashable:
    return digest


def _by_line(line: int, digest: str) -> Hashable:
    return line


_PASSES: list[tuple[Callable[[int, str], Hashable], bool]] = [
    (_by_line_and_hash, False),
    (_by_hash, False),
    (_by_line, True),
]


def _match_pass[T: Known](
    issues: list[Issue],
    pool: list[T],
    key_fn: Callable[[int, str], Hashable],
    open_only: bool,
    matched: list[tuple[T, Issue]],
) -> tuple[list[Issue], list[T]]:
    index: dict[Hashable, list[T]] = defaultdict(list)
    for finding in pool:
        if open_only and not finding.is_open:
            continue
        index[key_fn(finding.line, finding.line_hash)].append(finding)
    taken: set[int] = set()
    unmatched: list[Issue] = []
    for issue in issues:
        bucket = index.get(key_fn(issue.line, issue.line_hash))
        if bucket:
            # Nearest line first, so two identical lines keep their own findings.
            best = min(bucket, key=lambda f: (not f.is_open, abs(f.line - issue.line)))
            bucket.remove(best)
            taken.add(id(best))
            matched.append((best, issue))
        else:
            unmatched.append(issue)
    return unmatched, [f for f in pool if id(f) not in taken]
