"""SQLAlchemy rules about API shape: 2.0-style declarations, removed 1.x calls, SQL
injection, per-row commits, foreign keys and engine pools (SA003-SA004, SA007, SA009-SA011,
PF003)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from reviewer.engine.context import FileContext
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, rule
from reviewer.engine.rules.alembic import is_revision_file
from reviewer.engine.rules.helpers import is_true, keyword, last_name
from reviewer.engine.rules.sqlalchemy import _session_like_name


def _from_sqlalchemy(ctx: FileContext, func: ast.expr, name: str) -> bool:
    """``func`` is SQLAlchemy's ``name`` (imported from sqlalchemy, or a bare name that
    is not bound to something else in the file)."""
    qualified = ctx.qualified(func)
    if qualified is not None:
        return qualified.startswith("sqlalchemy") and qualified.endswith("." + name)
    return False


@rule(
    id="SA003",
    title="relationship() without a Mapped[] annotation",
    severity="suggestion",
    confidence=85,
    category="sqlalchemy",
    debt_kind="sqlalchemy",
    debt_minutes=10,
    explanation=(
        "In SQLAlchemy 2.0 a relationship is declared with a Mapped[...] annotation so "
        "type checkers and the ORM agree on what the attribute holds (one object, an "
        "optional one or a list). A bare `x = relationship(...)` is the 1.x style: it "
        "works, but the attribute is untyped and the collection type is implicit."
    ),
    before="class Author(Base):\n    books = relationship('Book', back_populates='author')\n",
    after=(
        "class Author(Base):\n"
        "    books: Mapped[list['Book']] = relationship(back_populates='author')\n"
    ),
)
def check_untyped_relationship(ctx: FileContext) -> Iterator[Hit]:
    if is_revision_file(ctx):
        return  # a model snapshot inside a historic revision is never modernised
    for cls in ctx.nodes(ast.ClassDef):
        for stmt in cls.body:
            if (
                isinstance(stmt, ast.Assign)
                and isinstance(stmt.value, ast.Call)
                and _from_sqlalchemy(ctx, stmt.value.func, "relationship")
            ):
                yield Hit.at(stmt, f"{cls.name}: relationship without a Mapped[...] annotation")


@rule(
    id="SA004",
    title="declarative_base() instead of a DeclarativeBase subclass",
    severity="suggestion",
    confidence=95,
    category="sqlalchemy",
    debt_kind="sqlalchemy",
    debt_minutes=30,
    explanation=(
        "`declarative_base()` builds the model base class dynamically, which type checkers "
        "cannot follow; SQLAlchemy 2.0 declares it as a class that subclasses "
        "`DeclarativeBase`, which also gives `Mapped[]` annotations their meaning."
    ),
    before="from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n",
    after=(
        "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n"
    ),
)
def check_declarative_base(ctx: FileContext) -> Iterator[Hit]:
    if is_revision_file(ctx):
        return  # a model snapshot inside a historic revision is never modernised
    for call in ctx.nodes(ast.Call):
        if _from_sqlalchemy(ctx, call.func, "declarative_base"):
            yield Hit.at(call, "declarative_base(): declare a DeclarativeBase subclass")


def _is_built_string(node: ast.expr) -> bool:
    """An f-string with placeholders, ``%``-formatting, ``.format()`` or ``+`` of a
    string with something not constant."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant | ast.JoinedStr):
            return isinstance(node.left, ast.JoinedStr) or isinstance(node.left.value, str)
        if isinstance(node.op, ast.Add):
            parts = [node.left, node.right]
            has_str = any(
                (isinstance(p, ast.Constant) and isinstance(p.value, str)) or _is_built_string(p)
                for p in parts
            )
            not_const = any(not isinstance(p, ast.Constant) for p in parts)
            return has_str and not_const
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
    ):
        return bool(node.args or node.keywords)
    return False


@rule(
    id="SA007",
    title="SQL built by string formatting",
    severity="critical",
    confidence=80,
    category="sqlalchemy",
    explanation=(
        "SQL assembled with an f-string, `%`, `.format()` or `+` puts values straight into "
        "the statement text: anything a user controls can change the query (SQL "
        "injection). Keep the SQL constant and pass values as bound parameters."
    ),
    before="session.execute(text(f\"SELECT * FROM users WHERE name = '{name}'\"))\n",
    after='session.execute(text("SELECT * FROM users WHERE name = :name"), {"name": name})\n',
)
def check_sql_injection(ctx: FileContext) -> Iterator[Hit]:
    if is_revision_file(ctx):
        return  # a migration runs the project's own data, never outside input
    for call in ctx.nodes(ast.Call):
        if not call.args:
            continue
        is_text = _from_sqlalchemy(ctx, call.func, "text")
        is_execute = (
            isinstance(call.func, ast.Attribute)
            and call.func.attr in {"execute", "exec_driver_sql"}
            and (dotted_name(call.func.value) or "").rsplit(".", 1)[-1].lower()
            not in {"cursor", "cur"}
        )
        if not (is_text or is_execute):
            continue
        if _is_built_string(call.args[0]) and not _only_safe_pieces(ctx, call):
            yield Hit.at(call, "SQL text built from values: use bound parameters")


#: Statements whose interpolated parts are identifiers or settings, which cannot be bound.
_DDL = re.compile(
    r"^\s*(create|alter|drop|grant|revoke|truncate|comment|vacuum|analy[sz]e|refresh|set|"
    r"reset|lock|cluster|reindex)\b",
    re.IGNORECASE,
)
_BOUND_PARAM = re.compile(r"(?<![:\w\\]):[A-Za-z_]\w*")
#: A placeholder between quotes is a value (``'{name}'``), not an identifier.
_QUOTED_PLACEHOLDER = re.compile(r"'(?:\{\}|%s)'")


def _numeric_format(value: ast.FormattedValue) -> bool:
    """``{n:d}`` / ``{x:.2f}``: formatting fails unless the value is a number."""
    spec = value.format_spec
    if not isinstance(spec, ast.JoinedStr) or len(spec.values) != 1:
        return False
    text = spec.values[0]
    return (
        isinstance(text, ast.Constant)
        and isinstance(text.value, str)
        and text.value[-1:] in {"d", "f", "e", "g", "x", "o", "b", "n", "%"}
    )


def _pieces(node: ast.expr) -> tuple[str, list[ast.expr]]:
    """The constant text of a built string and the expressions put into it."""
    if isinstance(node, ast.Constant):
        return (node.value if isinstance(node.value, str) else "", [])
    if isinstance(node, ast.JoinedStr):
        text, exprs = "", []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                text += value.value
            elif isinstance(value, ast.FormattedValue):
                text += "{}"
                if not _numeric_format(value):
                    exprs.append(value.value)
        return text, exprs
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        left, left_exprs = _pieces(node.left)
        if isinstance(node.op, ast.Mod):
            args = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
            return left, left_exprs + list(args)
        right, right_exprs = _pieces(node.right)
        return left + right, left_exprs + right_exprs
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        text, exprs = _pieces(node.func.value)
        return text, exprs + list(node.args) + [k.value for k in node.keywords]
    return "", [node]


def _only_safe_pieces(ctx: FileContext, call: ast.Call) -> bool:
    """True when what is put into the SQL cannot be outside input: module constants,
    a model's ``__tablename__``, class attributes, loop variables over constants; or
    when the values are bound already (``:name`` placeholders, ``.bindparams()``) or the
    statement is DDL, so the placeholders are identifiers, which cannot be bound."""
    text, exprs = _pieces(call.args[0])
    if _DDL.match(text):
        return True
    quoted_value = _QUOTED_PLACEHOLDER.search(text) is not None
    if exprs and not quoted_value and text.count("{}") == text.count('"{}"') > 0:
        return True  # every placeholder is a quoted identifier ("schema".table)
    bound = _BOUND_PARAM.search(text) is not None or id(call) in ctx.memo(
        "sa007-bindparams", lambda: _bindparams_calls(ctx)
    )
    if bound and not quoted_value:
        return True
    safe = ctx.memo("sa007-safe-names", lambda: _constant_names(ctx))
    if all(_safe_expr(e, safe) for e in exprs):
        return True
    # ``self.value`` inside an Enum: one of the members' fixed values
    enum_classes = [
        s
        for s in ctx.enclosing_scopes(call)
        if isinstance(s, ast.ClassDef) and any("Enum" in ast.unparse(b) for b in s.bases)
    ]
    return bool(enum_classes) and all(
        isinstance(e, ast.Attribute)
        and e.attr in {"value", "name"}
        and isinstance(e.value, ast.Name)
        and e.value.id == "self"
        for e in exprs
    )


def _bindparams_calls(ctx: FileContext) -> set[int]:
    """ids of text() calls whose result gets ``.bindparams(...)``."""
    found = set()
    for call in ctx.nodes(ast.Call):
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "bindparams"
            and isinstance(func.value, ast.Call)
        ):
            found.add(id(func.value))
    return found


def _is_constant_value(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return all(_is_constant_value(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(
            k is not None and _is_constant_value(k) and _is_constant_value(v)
            for k, v in zip(node.keys, node.values, strict=True)
        )
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(v, ast.Constant) for v in node.values)
    return False


def _constant_names(ctx: FileContext) -> frozenset[str]:
    """Module-level names bound to literals, and loop variables over such names."""
    names: set[str] = set()
    for stmt in ctx.tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        if value is not None and _is_constant_value(value):
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    for loop in ctx.nodes(ast.For):
        iterated = loop.iter
        if isinstance(iterated, ast.Call) and isinstance(iterated.func, ast.Attribute):
            iterated = iterated.func.value  # CONSTANT.items() / .keys() / .values()
        if _safe_expr(iterated, frozenset(names)) or _is_constant_value(loop.iter):
            names.update(n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name))
    return frozenset(names)


def _constant_like(name: str) -> bool:
    bare = name.lstrip("_")
    return bool(bare) and bare.upper() == bare and any(c.isalpha() for c in bare)


def _safe_expr(node: ast.expr, safe: frozenset[str]) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return node.id in safe or _constant_like(node.id)
    if isinstance(node, ast.Attribute):
        if node.attr in {"__tablename__", "__name__"} or _constant_like(node.attr):
            return True
        if isinstance(node.value, ast.Name) and node.value.id == "cls":
            return True  # a class attribute, not request data
        return isinstance(node.value, ast.Attribute) and node.value.attr == "__table__"
    if isinstance(node, ast.JoinedStr):
        return all(
            _safe_expr(v.value, safe) if isinstance(v, ast.FormattedValue) else True
            for v in node.values
        )
    return False


def _session_receiver(call: ast.Call, method: str) -> bool:
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == method):
        return False
    dotted = dotted_name(call.func.value)
    return dotted is not None and _session_like_name(dotted.rsplit(".", 1)[-1])


@rule(
    id="SA009",
    title="commit() inside a loop",
    severity="important",
    confidence=80,
    category="sqlalchemy",
    explanation=(
        "Committing on every iteration makes one transaction per row: it is slow (a "
        "round trip and a flush each time) and leaves half the work saved when a later "
        "row fails. Do the loop's work, then commit once."
    ),
    before="for row in rows:\n    session.add(Item(**row))\n    session.commit()\n",
    after="for row in rows:\n    session.add(Item(**row))\nsession.commit()\n",
)
def check_commit_in_loop(ctx: FileContext) -> Iterator[Hit]:
    if "commit" not in ctx.source:
        return
    for call in ctx.nodes(ast.Call):
        if not _session_receiver(call, "commit"):
            continue
        loop = ctx.loop_around(call)
        if loop is None or _deliberate_commits(ctx, loop, call):
            continue
        yield Hit.at(call, "commit() on every iteration: commit once after the loop")


_BATCH_WORDS = re.compile(r"batch|chunk", re.IGNORECASE)


def _deliberate_commits(
    ctx: FileContext, loop: ast.For | ast.AsyncFor | ast.While, commit: ast.Call
) -> bool:
    """Commits that are not one per row: the loop works in batches (it says so), each
    iteration is its own transaction (a failure is rolled back and the loop goes on), or
    the commit ends the loop (a ``return``/``break`` right after it)."""
    start, end = loop.lineno, loop.end_lineno or loop.lineno
    if any(_BATCH_WORDS.search(ctx.line(n)) for n in range(start, end + 1)):
        return True
    for handler in (n for n in ast.walk(loop) if isinstance(n, ast.ExceptHandler)):
        if any(
            _session_receiver(c, "rollback") for c in ast.walk(handler) if isinstance(c, ast.Call)
        ):
            return True
    for block in (n for n in ast.walk(loop) if hasattr(n, "body")):
        body = getattr(block, "body", [])
        if not isinstance(body, list):
            continue
        for index, stmt in enumerate(body[:-1]):
            if (
                isinstance(stmt, ast.Expr | ast.Assign)
                and any(c is commit for c in ast.walk(stmt))
                and any(isinstance(later, ast.Return | ast.Break) for later in body[index + 1 :])
            ):
                return True
    return False


@rule(
    id="SA010",
    title="SQLAlchemy 1.x API removed in 2.0",
    severity="important",
    confidence=85,
    category="sqlalchemy",
    debt_kind="sqlalchemy",
    debt_minutes=20,
    explanation=(
        "SQLAlchemy 2.0 removed `engine.execute()`, `select([...])` with a list, "
        "`autocommit=True` sessions and executing plain SQL strings. Code using them "
        "fails on 2.0: run statements on a connection or session, pass columns to "
        "`select()` positionally and wrap SQL in `text()`. (`Query.get()` is not among "
        "them: it is legacy, still there in 2.0, and SA001 reports the Query API.)"
    ),
    before='with engine.begin():\n    engine.execute("DELETE FROM tokens")\nselect([User.id])\n',
    after=(
        "with engine.begin() as conn:\n"
        '    conn.execute(text("DELETE FROM tokens"))\n'
        "select(User.id)\n"
    ),
)
def check_removed_api(ctx: FileContext) -> Iterator[Hit]:
    for call in ctx.nodes(ast.Call):
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "execute":
            receiver = (dotted_name(func.value) or "").rsplit(".", 1)[-1].lower()
            if receiver.endswith("engine"):
                yield Hit.at(call, "engine.execute() was removed: use a connection")
                continue
            if (
                call.args
                and isinstance(call.args[0], ast.Constant)
                and isinstance(call.args[0].value, str)
                and _session_like_name(receiver or "_")
            ):
                yield Hit.at(call, "a plain SQL string passed to execute(): wrap it in text()")
                continue
        if (
            _from_sqlalchemy(ctx, func, "select")
            and len(call.args) == 1
            and isinstance(call.args[0], ast.List)
        ):
            yield Hit.at(call, "select([...]) list form: pass the columns positionally")
            continue
        if last_name(func) in {"sessionmaker", "Session", "create_engine"} and is_true(
            kw.value if (kw := keyword(call, "autocommit")) else None
        ):
            yield Hit.at(call, "autocommit=True was removed")


@rule(
    id="SA011",
    title="ForeignKey without ondelete",
    severity="suggestion",
    confidence=70,
    category="sqlalchemy",
    explanation=(
        "A foreign key with no `ondelete` leaves the database's default (refuse the delete, "
        "or leave dangling rows if constraints are deferred). Say what should happen to "
        "the child rows when the parent goes: CASCADE, SET NULL or RESTRICT."
    ),
    before='author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))\n',
    after='author_id: Mapped[int] = mapped_column(ForeignKey("authors.id", ondelete="CASCADE"))\n',
)
def check_foreign_key_ondelete(ctx: FileContext) -> Iterator[Hit]:
    if is_revision_file(ctx):
        return  # AL009 covers migrations
    for call in ctx.nodes(ast.Call):
        if _from_sqlalchemy(ctx, call.func, "ForeignKey") and keyword(call, "ondelete") is None:
            yield Hit.at(call, "ForeignKey without ondelete")


_POOL_ARGS = {"pool_size", "pool_pre_ping", "max_overflow", "poolclass", "pool_recycle"}


@rule(
    id="PF003",
    title="Engine created with no pool settings",
    severity="suggestion",
    confidence=60,
    category="performance",
    explanation=(
        "An engine created with the default pool keeps at most five connections plus ten "
        "overflow and never checks a pooled connection before using it: after a database "
        "restart the first requests fail. Size the pool for the workload and turn on "
        "`pool_pre_ping`."
    ),
    before="engine = create_engine(settings.database_url)\n",
    after="engine = create_engine(settings.database_url, pool_size=10, pool_pre_ping=True)\n",
)
def check_engine_pool(ctx: FileContext) -> Iterator[Hit]:
    parts = ctx.posix_path.parts
    name = ctx.posix_path.name
    if (
        name == "conftest.py"
        or name.startswith("test_")
        or any(p in {"tests", "test"} for p in parts[:-1])
    ):
        return  # a test database's engine needs no production pool
    if name == "env.py" and "alembic" in ctx.source:
        return  # Alembic's env.py: one connection for one migration run
    if any(p in {"scripts", "script", "docs", "docs_src", "examples", "bin"} for p in parts[:-1]):
        return  # one-off scripts and documentation snippets
    for call in ctx.nodes(ast.Call):
        if not (
            _from_sqlalchemy(ctx, call.func, "create_engine")
            or _from_sqlalchemy(ctx, call.func, "create_async_engine")
        ):
            continue
        if any(kw.arg in _POOL_ARGS or kw.arg is None for kw in call.keywords):
            continue
        first = call.args[0] if call.args else None
        if isinstance(first, ast.Constant) and "sqlite" in str(first.value):
            continue
        if isinstance(first, ast.JoinedStr) and "sqlite" in ast.unparse(first):
            continue
        yield Hit.at(call, "engine with the default pool: set pool_size / pool_pre_ping")
