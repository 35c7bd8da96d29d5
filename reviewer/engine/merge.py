"""One finding per problem across rules that see the same thing from two places.

A foreign key without ``ondelete`` is usually declared twice: in a model (SA011) and in
the migration that created it (AL009). The model is where a team changes it, so SA011's
finding is kept and AL009's finding for the same column and target is dropped. The two
are matched on the flagged lines (the column name and the ``ForeignKey("table.column")``
target both rules point at); a foreign key whose migration line does not name both (a
``create_foreign_key`` call over several lines) keeps its AL009 finding.

Runs once per review on all findings (cheap: only AL009 findings are looked at, and only
when SA011 found something).
"""

from __future__ import annotations

import re

from reviewer.engine.types import Issue

_TARGET = re.compile(r"""ForeignKey\(\s*["']([\w.]+)["']""")
# ``user_id: Mapped[int] = mapped_column(...)`` / ``user_id = Column(...)`` in a model;
# ``Column("user_id", ...)`` in a model's Table() or a migration.
_MODEL_COLUMN = re.compile(r"^\s*(\w+)\s*[:=]")
_NAMED_COLUMN = re.compile(r"""Column\(\s*["'](\w+)["']""")


def _key(snippet: str) -> tuple[str, str] | None:
    """(column, target) of the foreign key on a flagged line, None if not both known."""
    target = _TARGET.search(snippet)
    if target is None:
        return None
    column = _NAMED_COLUMN.search(snippet) or _MODEL_COLUMN.match(snippet)
    if column is None:
        return None
    return column.group(1), target.group(1)


def one_per_problem(issues: list[Issue]) -> list[Issue]:
    """``issues`` without AL009 findings whose foreign key SA011 reports in a model."""
    declared = {
        key
        for issue in issues
        if issue.rule_id == "SA011" and (key := _key(issue.snippet)) is not None
    }
    if not declared:
        return issues
    return [
        issue for issue in issues if issue.rule_id != "AL009" or _key(issue.snippet) not in declared
    ]
