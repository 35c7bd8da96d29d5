"""Matching the findings of the reviewed tree with those of the patched tree.

Lines move when a patch adds imports or joins lines, and a rewritten line has a new
text, so findings are matched per file and rule in three passes: the line the old one
maps to through the diff, the same line text, then "somewhere in the same changed
block". An unmatched finding of the patched tree is new; an unmatched one of the
reviewed tree is removed.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from reviewer.engine.types import Issue


@dataclass
class LineMap:
    """Old line -> new line for unchanged lines; changed lines -> their block number."""

    old_to_new: dict[int, int] = field(default_factory=dict)
    old_block: dict[int, int] = field(default_factory=dict)
    new_block: dict[int, int] = field(default_factory=dict)
    # line -> its offset from the first line of its block, on each side
    old_offset: dict[int, int] = field(default_factory=dict)
    new_offset: dict[int, int] = field(default_factory=dict)


def line_map(before: str, after: str) -> LineMap:
    result = LineMap()
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    for block, (tag, i1, i2, j1, j2) in enumerate(matcher.get_opcodes()):
        if tag == "equal":
            for offset in range(i2 - i1):
                result.old_to_new[i1 + offset + 1] = j1 + offset + 1
        else:
            for i in range(i1, i2):
                result.old_block[i + 1] = block
                result.old_offset[i + 1] = i - i1
            for j in range(j1, j2):
                result.new_block[j + 1] = block
                result.new_offset[j + 1] = j - j1
            # A pure insertion still belongs to the block next to it.
            if i1 == i2:
                result.old_block.setdefault(i1, block)
    return result


@dataclass
class Comparison:
    removed: list[Issue]
    new: list[Issue]
    still: list[Issue]  # findings of the reviewed tree still present after the patch


def _passes(m: LineMap | None) -> list[Callable[[Issue, Issue], bool]]:
    """The matching passes, most exact first."""

    def mapped_line(o: Issue, n: Issue) -> bool:
        return (m.old_to_new.get(o.line) if m else o.line) == n.line

    def same_text(o: Issue, n: Issue) -> bool:
        return bool(o.snippet.strip()) and o.snippet.strip() == n.snippet.strip()

    def same_block(o: Issue, n: Issue) -> bool:
        return (
            m is not None
            and m.old_block.get(o.line) is not None
            and m.old_block.get(o.line) == m.new_block.get(n.line)
        )

    def same_block_offset(o: Issue, n: Issue) -> bool:
        return (
            same_block(o, n)
            and m is not None
            and m.old_offset.get(o.line) == m.new_offset.get(n.line)
        )

    return [mapped_line, same_text, same_block_offset, same_block]


def compare(before: list[Issue], after: list[Issue], maps: dict[str, LineMap]) -> Comparison:
    by_key_before: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    by_key_after: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for issue in before:
        by_key_before[(issue.path, issue.rule_id)].append(issue)
    for issue in after:
        by_key_after[(issue.path, issue.rule_id)].append(issue)
    removed: list[Issue] = []
    new: list[Issue] = []
    still: list[Issue] = []
    for key in by_key_before.keys() | by_key_after.keys():
        olds = list(by_key_before.get(key, []))
        news = list(by_key_after.get(key, []))
        mapping = maps.get(key[0])
        passes = _passes(mapping)
        for same in passes:
            for new_issue in list(news):
                match = next((o for o in olds if same(o, new_issue)), None)
                if match is not None:
                    olds.remove(match)
                    news.remove(new_issue)
                    still.append(match)
        removed += olds
        new += news
    return Comparison(removed=removed, new=new, still=still)
