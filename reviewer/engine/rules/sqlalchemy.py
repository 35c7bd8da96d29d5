"""SQLAlchemy 2.0 rules (SA)."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from reviewer.engine.context import FileContext
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, rule
from reviewer.engine.rules.alembic import is_revision_file

# --------------------------------------------------------------------------------------
# SA001: legacy Query API

# Words in a receiver's name that mean "this is an HTTP/other client, not a DB session".
_NOT_A_DB_WORDS = ("http", "client", "request", "web", "browser", "aiohttp", "api")
# Libraries whose objects have nothing to do with an ORM session.
_NOT_A_DB_MODULES = (
    "aiohttp",
    "requests",
    "httpx",
    "urllib3",
    "flask",
    "werkzeug",
    "starlette",
    "fastapi",
    "elasticsearch",
    "boto3",
    "botocore",
)
_SESSION_NAMES = frozenset({"db", "session", "sess", "dbsession", "db_session", "db_sess"})


def _session_like_name(name: str) -> bool:
    """``session``, ``db``, ``db_session``, ``async_session``, ``self._db`` ... but not
    ``http_session`` or ``client_session``."""
    lowered = name.lower().strip("_")
    if any(word in lowered for word in _NOT_A_DB_WORDS):
        return False
    last = lowered.rsplit("_", 1)[-1]
    return (
        lowered in _SESSION_NAMES
        or last in {"session", "sess", "db"}
        or lowered.endswith("session")
    )


def _annotation_says_session(ctx: FileContext, annotation: ast.expr) -> bool:
    """Whether a parameter/variable annotation names an ORM session (``Session``,
    ``AsyncSession``, ``Annotated[Session, Depends(...)]``, an alias like ``SessionDep``)."""
    for node in ast.walk(annotation):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.lower()
            if "session" in text and not any(w in text for w in _NOT_A_DB_WORDS):
                return True
            continue
        if not isinstance(node, ast.Name | ast.Attribute):
            continue
        qualified = ctx.qualified(node) or ""
        if qualified.startswith(_NOT_A_DB_MODULES):
            return False
        if qualified.startswith("sqlalchemy"):
            return True
        dotted = dotted_name(node) or ""
        last = dotted.rsplit(".", 1)[-1].lower()
        if "session" in last and not any(w in last for w in _NOT_A_DB_WORDS):
            return True
    return False


def _scope_annotations(ctx: FileContext, scope: ast.AST) -> dict[str, ast.expr]:
    """Annotated names of one scope: a function's parameters and every ``x: T = ...`` in
    the scope itself (not in the functions or classes nested in it)."""
    found: dict[str, ast.expr] = {}
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        args = scope.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
            if arg.annotation is not None:
                found[arg.arg] = arg.annotation
    if isinstance(scope, ast.Lambda):
        return found
    found.update(ctx.memo("annotated-names", lambda: _annotated_names(ctx)).get(id(scope), {}))
    return found


def _annotated_names(ctx: FileContext) -> dict[int, dict[str, ast.expr]]:
    """``x: T`` statements of the file by the id of the scope (function, class or module)
    they bind in."""
    by_scope: dict[int, dict[str, ast.expr]] = {}
    for node in ctx.nodes(ast.AnnAssign):
        if isinstance(node.target, ast.Name):
            scopes = ctx.enclosing_scopes(node)
            owner: ast.AST = scopes[-1] if scopes else ctx.tree
            by_scope.setdefault(id(owner), {})[node.target.id] = node.annotation
    return by_scope


def _receiver_is_session(
    ctx: FileContext, receiver: ast.expr, annotations: dict[str, ast.expr]
) -> bool:
    if isinstance(receiver, ast.Name):
        if receiver.id in annotations:
            return _annotation_says_session(ctx, annotations[receiver.id])
        origin = ctx.imports.resolve(receiver.id)
        if origin is not None and origin.startswith(_NOT_A_DB_MODULES):
            return False  # e.g. flask's ``session`` cookie dict
        return _session_like_name(receiver.id)
    if isinstance(receiver, ast.Attribute):  # self.session, db.session, request.state.db
        return _session_like_name(receiver.attr)
    if isinstance(receiver, ast.Call):  # Session(engine).query, SessionLocal().query
        qualified = ctx.qualified(receiver.func) or ""
        if qualified.startswith(_NOT_A_DB_MODULES):
            return False
        name = (dotted_name(receiver.func) or "").rsplit(".", 1)[-1].lower()
        return "session" in name and not any(w in name for w in _NOT_A_DB_WORDS)
    return False


def _receiver_text(receiver: ast.expr) -> str:
    if isinstance(receiver, ast.Call):
        return f"{dotted_name(receiver.func) or '...'}(...)"
    return dotted_name(receiver) or "session"


def _is_text(expr: ast.expr) -> bool:
    """SQL text rather than an ORM entity: a string, an f-string, a string built with
    ``+``/``%`` or ``str.format``."""
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, str)
    if isinstance(expr, ast.JoinedStr):
        return True
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add | ast.Mod):
        return _is_text(expr.left) or _is_text(expr.right)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        return expr.func.attr in {"format", "join"} and _is_text(expr.func.value)
    return False


def _names_text(ctx: FileContext, expr: ast.expr, scopes: Sequence[ast.AST]) -> bool:
    """A name the module or an enclosing function assigns SQL text to
    (``COUNT_SQL = "SELECT ..."``; ``sql = f"..."``): other database libraries take SQL
    strings in ``.query()``, Session.query never does."""
    if not isinstance(expr, ast.Name):
        return False
    by_scope = ctx.memo("sql-text-names", lambda: _text_names(ctx))
    return any(
        expr.id in by_scope.get(id(scope), ())
        for scope in [ctx.tree, *scopes]
        if not isinstance(scope, ast.ClassDef | ast.Lambda)
    )


def _text_names(ctx: FileContext) -> dict[int, set[str]]:
    """Names assigned a string (literal or built) by the id of the scope they bind in."""
    by_scope: dict[int, set[str]] = {}
    assignments: list[ast.Assign | ast.AnnAssign] = [
        *ctx.nodes(ast.Assign),
        *ctx.nodes(ast.AnnAssign),
    ]
    for node in assignments:
        if node.value is None or not _is_text(node.value):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        if names:
            scopes = ctx.enclosing_scopes(node)
            owner: ast.AST = scopes[-1] if scopes else ctx.tree
            by_scope.setdefault(id(owner), set()).update(names)
    return by_scope


@rule(
    id="SA001",
    title="Legacy Query API (session.query)",
    severity="suggestion",
    confidence=90,
    category="sqlalchemy",
    debt_kind="sqlalchemy",
    debt_minutes=30,
    explanation=(
        "Session.query() is the 1.x Query API. SQLAlchemy 2.0 keeps it only as a legacy "
        "interface: new features (typed results, the unified select() for ORM and Core, "
        "AsyncSession, which has no query() at all) are built on select() statements "
        "executed by the session. Code on the legacy API has to be rewritten before it "
        "can move to async sessions, and mixing both styles makes queries harder to read "
        "and to type-check. Build the statement with select(), then run it with "
        "session.scalars() for ORM objects or session.execute() for rows."
    ),
    before=(
        "def active_users(session: Session) -> list[User]:\n"
        "    return session.query(User).filter(User.active).all()\n"
    ),
    after=(
        "def active_users(session: Session) -> list[User]:\n"
        "    stmt = select(User).where(User.active)\n"
        "    return list(session.scalars(stmt))\n"
    ),
)
def check_legacy_query(ctx: FileContext) -> Iterator[Hit]:
    """``<session>.query(<entity>, ...)`` where the receiver looks like an ORM session.

    Not flagged: ``request.query`` / ``params.query`` style receivers, HTTP/search clients,
    receivers annotated with a non-session type, and ``.query(<SQL text>)``: a string, a
    string built with ``+``/``%``/``format``, or a name assigned one (other database
    libraries take SQL strings there; Session.query never does).
    """
    if is_revision_file(ctx):
        return  # legacy code inside a historic revision is never modernised
    if ".query" not in ctx.source:
        return
    module_annotations: dict[str, ast.expr] | None = None
    for node in ctx.nodes(ast.Call):
        if not (
            isinstance(node.func, ast.Attribute)
            and node.func.attr == "query"
            and node.args
            and not _is_text(node.args[0])
        ):
            continue
        scopes = ctx.enclosing_scopes(node)
        if _names_text(ctx, node.args[0], scopes):
            continue
        if module_annotations is None:
            module_annotations = _scope_annotations(ctx, ctx.tree)
        annotations = dict(module_annotations)
        for scope in scopes:
            if not isinstance(scope, ast.ClassDef):
                annotations.update(_scope_annotations(ctx, scope))
        if _receiver_is_session(ctx, node.func.value, annotations):
            receiver = _receiver_text(node.func.value)
            yield Hit.at(
                node,
                f"`{receiver}.query(...)` is the legacy Query API; build a `select(...)` "
                f"statement and run it with `{receiver}.scalars()` or `{receiver}.execute()`.",
            )


# --------------------------------------------------------------------------------------
# SA002: bare Column() on a declarative model

_TABLE_DUNDERS = frozenset({"__tablename__", "__table_args__", "__abstract__", "__mapper_args__"})
_BASE_NAMES = frozenset({"Base", "Model", "DeclarativeBase", "DeclarativeBaseNoMeta"})
_BASE_FACTORIES = frozenset({"declarative_base", "generate_base"})
_PY_TYPES = {
    "Integer": "int",
    "BigInteger": "int",
    "SmallInteger": "int",
    "String": "str",
    "Text": "str",
    "Unicode": "str",
    "UnicodeText": "str",
    "VARCHAR": "str",
    "Boolean": "bool",
    "DateTime": "datetime",
    "TIMESTAMP": "datetime",
    "Date": "date",
    "Time": "time",
    "Float": "float",
    "Numeric": "Decimal",
    "JSON": "dict",
    "JSONB": "dict",
    "Uuid": "uuid.UUID",
    "UUID": "uuid.UUID",
    "LargeBinary": "bytes",
}


def _last(expr: ast.expr) -> str:
    return (dotted_name(expr) or "").rsplit(".", 1)[-1]


def _model_classes(ctx: FileContext) -> list[ast.ClassDef]:
    """Classes of this file that take part in declarative mapping: they declare table
    dunders, or derive from a declarative base (a conventional name such as ``Base``, a
    ``declarative_base()`` result, a ``DeclarativeBase`` subclass, another model here), or
    are mixins (``...Mixin``) whose columns end up on models."""
    bases = set(_BASE_NAMES)
    for node in ctx.nodes(ast.Assign):
        if isinstance(node.value, ast.Call) and _last(node.value.func) in _BASE_FACTORIES:
            bases.update(t.id for t in node.targets if isinstance(t, ast.Name))
    classes = ctx.nodes(ast.ClassDef)
    models: list[ast.ClassDef] = []
    changed = True
    while changed:
        changed = False
        for cls in classes:
            if any(cls is m for m in models):
                continue
            base_names = {_last(b) for b in cls.bases}
            if (
                _assigns_any(cls, _TABLE_DUNDERS)
                or base_names & bases
                or any(name.endswith("Base") for name in base_names)
                or cls.name.endswith("Mixin")
            ):
                models.append(cls)
                bases.add(cls.name)
                changed = True
    return models


def _assigns_any(cls: ast.ClassDef, names: frozenset[str]) -> bool:
    for stmt in cls.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else []
        if isinstance(stmt, ast.AnnAssign):
            targets = [stmt.target]
        if any(isinstance(t, ast.Name) and t.id in names for t in targets):
            return True
    return False


def _is_column_call(ctx: FileContext, value: ast.Call) -> bool:
    qualified = ctx.qualified(value.func) or ""
    if qualified.startswith("sqlalchemy") and qualified.endswith(".Column"):
        return True
    dotted = dotted_name(value.func)
    if dotted == "db.Column":  # Flask-SQLAlchemy
        return True
    return dotted == "Column" and "sqlalchemy" in ctx.imports.star_modules


def _is_mapped(annotation: ast.expr) -> bool:
    target = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    if isinstance(target, ast.Constant) and isinstance(target.value, str):
        return target.value.startswith("Mapped[")
    return _last(target) == "Mapped"


def _suggested_type(call: ast.Call) -> str:
    python_type = "..."
    for arg in call.args:
        kind = arg.func if isinstance(arg, ast.Call) else arg
        if _last(kind) in _PY_TYPES:
            python_type = _PY_TYPES[_last(kind)]
            break
    required = False
    for kw in call.keywords:
        flag = kw.value.value if isinstance(kw.value, ast.Constant) else None
        if (kw.arg == "primary_key" and flag is True) or (kw.arg == "nullable" and flag is False):
            required = True
    if python_type != "..." and not required:
        python_type += " | None"
    return python_type


@rule(
    id="SA002",
    title="Model column declared with bare Column()",
    severity="suggestion",
    confidence=90,
    category="sqlalchemy",
    debt_kind="sqlalchemy",
    debt_minutes=15,
    explanation=(
        "In SQLAlchemy 2.0 a declarative model states each column as an annotated "
        "attribute: `name: Mapped[str] = mapped_column(...)`. A bare `Column(...)` still "
        "maps, but the attribute is untyped for mypy and IDEs, nullability is not derived "
        "from the annotation, and the model cannot opt into dataclass mapping. Convert the "
        "attribute to `Mapped[...]` with `mapped_column()`; `Optional`/`| None` in the "
        "annotation then says whether the column is nullable."
    ),
    before=(
        "class Book(Base):\n"
        '    __tablename__ = "books"\n'
        "    id = Column(Integer, primary_key=True)\n"
        "    title = Column(String(300), nullable=False)\n"
    ),
    after=(
        "class Book(Base):\n"
        '    __tablename__ = "books"\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        "    title: Mapped[str] = mapped_column(String(300))\n"
    ),
)
def check_bare_column(ctx: FileContext) -> Iterator[Hit]:
    """Class-level ``name = Column(...)`` (or ``name: T = Column(...)`` with ``T`` not
    ``Mapped[...]``) in a declarative model or mixin. ``Column`` must be SQLAlchemy's
    (or Flask-SQLAlchemy's ``db.Column``); columns inside ``Table(...)`` or Alembic
    operations are not class attributes and are not flagged."""
    if is_revision_file(ctx):
        return  # a model snapshot inside a historic revision is never modernised
    for cls in _model_classes(ctx):
        for stmt in cls.body:
            target: ast.expr | None = None
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
            elif isinstance(stmt, ast.AnnAssign) and not _is_mapped(stmt.annotation):
                target = stmt.target
            value = getattr(stmt, "value", None)
            if not isinstance(target, ast.Name) or not isinstance(value, ast.Call):
                continue
            if not _is_column_call(ctx, value):
                continue
            yield Hit.at(
                stmt,
                f"`{target.id} = Column(...)` on `{cls.name}`: declare it as "
                f"`{target.id}: Mapped[{_suggested_type(value)}] = mapped_column(...)`.",
            )
