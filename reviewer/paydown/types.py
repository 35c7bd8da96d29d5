"""Plain data of the paydown codemods (no Django)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Skip:
    """A debt pattern a codemod saw and did not rewrite, and why (for a person)."""

    rule_id: str
    line: int  # in the original file
    reason: str


@dataclass
class FileEdit:
    path: str
    before: str
    after: str
    skips: list[Skip] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.before != self.after
