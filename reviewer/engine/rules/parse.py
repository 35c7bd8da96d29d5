"""PARSE001: a file Python cannot parse. The engine reports it itself (no rules can run on
such a file); it is declared here so it has a title, an explanation and a SARIF entry."""

from reviewer.engine.registry import REGISTRY, REVIEWER, Rule

PARSE001 = REGISTRY.add(
    Rule(
        id="PARSE001",
        title="File does not parse",
        severity="important",
        confidence=100,
        category="quality",
        agent=REVIEWER,
        debt_kind="",
        debt_minutes=0,
        explanation=(
            "Python's parser rejects this file, so it cannot be imported, and none of the "
            "other checks could look at it: any problem it contains stays invisible until "
            "it parses again. Usually this is a merge conflict marker, an unfinished edit or "
            "code written for a newer Python than the project targets."
        ),
        before="def total(items:\n    return sum(items)\n",
        after="def total(items: list[int]) -> int:\n    return sum(items)\n",
    )
)
