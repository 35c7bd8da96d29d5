"""AL007: the Alembic revision graph of the repository (several heads, unknown parents).

Every file under a folder named ``versions`` that assigns a literal ``revision`` is a
node; its ``down_revision`` (a string, a tuple of strings for a merge, or None) names its
parents. The graph is read once per review, across every ``versions`` folder, so a
project with several version locations that point at each other is one graph.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from reviewer.engine.context import FileContext, ProjectContext
from reviewer.engine.registry import Hit, project_rule

_CREATE_DATE = re.compile(r"Create Date:\s*(\S+(?:\s+[\d:.]+)?)")


@dataclass(slots=True)
class Revision:
    id: str
    path: str
    parents: tuple[str, ...]
    parents_at: tuple[int, int] | None  # line, column of ``down_revision = ...``
    at: tuple[int, int]  # line, column of ``revision = ...``
    created: str  # "Create Date" from the docstring ("" when absent)
    labelled: bool  # has branch_labels or depends_on: several heads may be intended
    children: list[str] = field(default_factory=list)


class UnreadableRevisionError(Exception):
    """A revision file whose ids are not literals (or that does not parse)."""


def _assigned(tree: ast.Module) -> dict[str, ast.stmt]:
    found: dict[str, ast.stmt] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = stmt
        elif (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.value is not None
        ):
            found[stmt.target.id] = stmt
    return found


def _ids(value: ast.expr | None) -> tuple[str, ...]:
    """``"a"`` -> (a,); ``("a", "b")`` -> (a, b); None -> (); else raises."""
    if isinstance(value, ast.Constant) and value.value is None:
        return ()
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return (value.value,) if value.value else ()
    if isinstance(value, ast.Tuple | ast.List):
        ids: list[str] = []
        for element in value.elts:
            ids.extend(_ids(element))
        return tuple(ids)
    raise UnreadableRevisionError


def _not_none(stmt: ast.stmt | None) -> bool:
    value = getattr(stmt, "value", None)
    return stmt is not None and not (isinstance(value, ast.Constant) and value.value is None)


def read_revision(file: FileContext) -> Revision | None:
    """The revision a file declares, None when it declares none (``__init__.py``, a
    helper module); UnreadableRevisionError when it declares one that cannot be read statically."""
    assigned = _assigned(file.tree)
    statement = assigned.get("revision")
    if statement is None:
        return None
    ids = _ids(getattr(statement, "value", None))
    if len(ids) != 1:
        raise UnreadableRevisionError
    down = assigned.get("down_revision")
    parents = _ids(getattr(down, "value", None)) if down is not None else ()
    docstring = ast.get_docstring(file.tree) or ""
    created = _CREATE_DATE.search(docstring)
    return Revision(
        id=ids[0],
        path=file.path,
        parents=parents,
        parents_at=(down.lineno, down.col_offset) if down is not None else None,
        at=(statement.lineno, statement.col_offset),
        created=created.group(1) if created else "",
        labelled=_not_none(assigned.get("branch_labels")) or _not_none(assigned.get("depends_on")),
    )


def _in_versions(path: str) -> bool:
    return "versions" in path.split("/")[:-1]


def summarize_revision(file: FileContext) -> dict[str, object] | None:
    """What AL007 needs from one file (run in the file pass and cached with the file):
    the revision it declares, ``{"unreadable": True}``, or ``{}`` for a file of a
    ``versions`` folder that declares none; None outside ``versions`` folders."""
    if not _in_versions(file.path):
        return None
    try:
        revision = read_revision(file)
    except UnreadableRevisionError:
        return {"unreadable": True}
    if revision is None:
        return {}
    return {
        "id": revision.id,
        "parents": revision.parents,
        "parents_at": revision.parents_at,
        "at": revision.at,
        "created": revision.created,
        "labelled": revision.labelled,
    }


def read_graph(ctx: ProjectContext) -> tuple[dict[str, Revision], bool]:
    """Every revision under a ``versions`` folder by id, and whether all revision files
    could be read (when one could not, it might be the missing parent or the merge)."""
    summaries = ctx.summaries(summarize_revision)
    revisions: dict[str, Revision] = {}
    complete = True
    for path in ctx.paths:
        if not _in_versions(path):
            continue
        found = summaries.get(path)
        if found is None or found.get("unreadable"):
            complete = False  # did not parse, or its ids are not literals
            continue
        if not found:
            continue
        if found["id"] in revisions:
            complete = False  # the same id twice: alembic refuses; not this rule's call
            continue
        revisions[found["id"]] = Revision(
            id=found["id"],
            path=path,
            parents=tuple(found["parents"]),
            parents_at=tuple(found["parents_at"]) if found["parents_at"] else None,
            at=tuple(found["at"]),
            created=found["created"],
            labelled=found["labelled"],
        )
    for revision in revisions.values():
        for parent in revision.parents:
            if parent in revisions:
                revisions[parent].children.append(revision.id)
    return revisions, complete


def _descendants(start: str, revisions: dict[str, Revision]) -> set[str]:
    seen = {start}
    pending = [start]
    while pending:
        for child in revisions[pending.pop()].children:
            if child not in seen:
                seen.add(child)
                pending.append(child)
    return seen


def _component_labelled(start: str, revisions: dict[str, Revision]) -> bool:
    """Whether any revision connected to ``start`` uses branch labels or depends_on."""
    seen = {start}
    pending = [start]
    while pending:
        revision = revisions[pending.pop()]
        if revision.labelled:
            return True
        for other in (*revision.children, *revision.parents):
            if other in revisions and other not in seen:
                seen.add(other)
                pending.append(other)
    return False


def _second_heads(revisions: dict[str, Revision]) -> Iterator[tuple[Revision, Revision, Revision]]:
    """(fork, earlier sibling, later sibling) for each revision that starts a line of
    history no merge revision joins back: it and its sibling both end in a head."""
    for fork in sorted(revisions.values(), key=lambda r: r.path):
        if len(fork.children) < 2 or _component_labelled(fork.id, revisions):
            continue
        children = sorted(
            (revisions[c] for c in set(fork.children)), key=lambda r: (r.created, r.path)
        )
        joined = _descendants(children[0].id, revisions)
        for child in children[1:]:
            line = _descendants(child.id, revisions)
            if not line & joined:
                yield fork, children[0], child
            joined |= line


@project_rule(
    id="AL007",
    title="Broken revision chain: several heads or an unknown parent",
    severity="critical",
    confidence=85,
    category="alembic",
    debt_kind="alembic",
    debt_minutes=30,
    summarize=summarize_revision,
    explanation=(
        "Alembic revisions form a chain through `down_revision`. When two branches each "
        "add a revision on top of the same parent and both are merged, the history has "
        'two heads: `alembic upgrade head` stops with "Multiple head revisions", and the '
        "deploy that runs it fails. A `down_revision` that names a revision which is not "
        "in the repository (deleted, renamed, a typo) breaks every command that walks the "
        "history. Join the heads with a merge revision (`alembic merge heads`), or rebase "
        "the newer revision onto the latest one; point a dangling `down_revision` at the "
        "revision that really precedes it. Histories that use `branch_labels` or "
        "`depends_on` may have several heads on purpose and are left alone."
    ),
    before=(
        '# versions/a1_add_orders.py\nrevision = "a1"\ndown_revision = "f0"\n\n'
        '# versions/b2_add_invoices.py\nrevision = "b2"\ndown_revision = "f0"\n'
    ),
    after=(
        '# versions/a1_add_orders.py\nrevision = "a1"\ndown_revision = "f0"\n\n'
        '# versions/b2_add_invoices.py\nrevision = "b2"\ndown_revision = "a1"\n'
    ),
)
def check_revision_graph(ctx: ProjectContext) -> Iterator[Hit]:
    """A later child of a fork whose line never meets its sibling's again (reported on
    the later child by "Create Date", then by path), and a ``down_revision`` naming an id
    no revision file declares. When a revision file cannot be read statically, the check
    for unknown parents is skipped (that file may be the parent) and so is the heads check
    (it may be the merge)."""
    revisions, complete = read_graph(ctx)
    if not revisions or not complete:
        return
    for revision in sorted(revisions.values(), key=lambda r: r.path):
        missing = [p for p in revision.parents if p not in revisions]
        if missing:
            line, column = revision.parents_at or revision.at
            yield Hit(
                line,
                column,
                f"down_revision names {', '.join(repr(m) for m in missing)}, which no "
                "revision in the repository declares",
                path=revision.path,
            )
    for fork, first, later in _second_heads(revisions):
        line, column = later.parents_at or later.at
        yield Hit(
            line,
            column,
            f"revision {later.id!r} and revision {first.id!r} both follow {fork.id!r} and "
            "no merge revision joins them: the history has several heads",
            path=later.path,
        )
