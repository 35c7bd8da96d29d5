"""PD006: ``Field(regex=..., min_items=..., max_items=...)`` -> v2 keyword names.

bump-pydantic's field codemod also renames ``allow_mutation`` to ``frozen`` (the
opposite meaning) and ``example`` to ``examples`` (a list in v2), so only the three
renames with the same meaning are done, here; the other v1 keywords are left for a
person.
"""

from __future__ import annotations

import ast

from reviewer.paydown.names import ModuleNames, dotted
from reviewer.paydown.source import SourceText, TextEdit
from reviewer.paydown.types import Skip

_RENAMES = {"regex": "pattern", "min_items": "min_length", "max_items": "max_length"}
_FOR_A_PERSON = {
    "const": "`const` becomes a `Literal` type",
    "allow_mutation": "`allow_mutation` becomes `frozen` with the opposite value",
    "unique_items": "`unique_items` becomes a set type",
}


def plan_fields(
    tree: ast.Module, text: SourceText, names: ModuleNames
) -> tuple[list[TextEdit], list[Skip]]:
    """Text edits renaming the keywords."""
    renames: list[TextEdit] = []
    skips: list[Skip] = []
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        spelled = dotted(call.func) or ""
        if names.qualified(spelled) not in {"pydantic.Field", "pydantic.fields.Field"}:
            continue
        present = {kw.arg for kw in call.keywords}
        for kw in call.keywords:
            if kw.arg in _FOR_A_PERSON:
                skips.append(Skip("PD006", kw.value.lineno, _FOR_A_PERSON[kw.arg]))
            elif kw.arg in _RENAMES:
                if _RENAMES[kw.arg] in present:
                    skips.append(Skip("PD006", kw.value.lineno, "both spellings are given"))
                    continue
                start = text.offset(kw.lineno, kw.col_offset)
                renames.append(TextEdit(start, start + len(kw.arg), _RENAMES[kw.arg]))
    return renames, skips
