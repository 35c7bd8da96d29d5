"""Our metadata for the ruff rules the engine reuses (checklist rows marked ``ruff``).

Findings from ruff keep its code as ``ruff:CODE``; this table gives each code (or code
prefix) the checklist row it stands for, a category, a severity and a debt kind.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.engine.types import SeverityCode


@dataclass(frozen=True, slots=True)
class RuffCode:
    checklist: str  # the checklist row it stands for
    title: str
    severity: SeverityCode
    category: str
    debt_kind: str = ""
    debt_minutes: int = 0
    confidence: int = 90
    profile: str = "default"  # "extended": reported only when a profile asks for it


#: Longest matching prefix wins. This is also our ``--select`` for ruff.
RUFF_CODES: dict[str, RuffCode] = {
    "FAST001": RuffCode("FA009", "Redundant response_model on a route", "suggestion", "fastapi"),
    "FAST002": RuffCode(
        "FA008",
        "Dependency not declared with Annotated[..., Depends()]",
        "suggestion",
        "fastapi",
        "fastapi",
        5,
    ),
    "FAST003": RuffCode("FA009", "Path parameter not used by the route", "suggestion", "fastapi"),
    "RUF006": RuffCode("AS005", "Task created and not kept", "important", "asyncio"),
    "ASYNC": RuffCode("AS001", "Blocking or unsafe call in async code", "critical", "asyncio"),
    "E722": RuffCode("CQ001", "Bare except", "important", "quality"),
    "BLE001": RuffCode("CQ001", "Blind except Exception", "important", "quality"),
    "S110": RuffCode("CQ001", "Exception swallowed with pass", "important", "quality"),
    "ANN001": RuffCode("CQ002", "Public function argument without a type", "suggestion", "quality"),
    "ANN201": RuffCode("CQ002", "Public function without a return type", "suggestion", "quality"),
    "S106": RuffCode("CQ004", "Hard-coded password argument", "critical", "quality", "", 0, 60),
    "T201": RuffCode("CQ006", "print() in application code", "suggestion", "quality"),
    "G004": RuffCode("CQ006", "f-string in a logging call", "suggestion", "quality"),
    "TID252": RuffCode("PR003", "Relative import", "suggestion", "project"),
    "PT": RuffCode("PT006", "pytest style", "suggestion", "tests"),
}


def ruff_selection() -> list[str]:
    return sorted(RUFF_CODES)


def lookup(code: str) -> RuffCode | None:
    code = code.upper()
    for length in range(len(code), 0, -1):
        found = RUFF_CODES.get(code[:length])
        if found is not None:
            return found
    return None
