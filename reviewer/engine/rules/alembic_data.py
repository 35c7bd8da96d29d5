"""Alembic rules about what a revision does to data and types: row-by-row data
migrations (AL005), schema and data changes in one revision (AL006) and PostgreSQL enum
types left behind by one direction of a revision (AL008)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from reviewer.engine.context import FileContext
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, rule
from reviewer.engine.rules.alembic import _statements, _top_level_function, is_revision_file
from reviewer.engine.rules.helpers import calls_in, keyword, last_name, loops_in

# --------------------------------------------------------------------------------------
# Shared: what a revision executes

# Names a revision gives the connection it runs SQL on (``conn = op.get_bind()``).
_CONNECTION_NAMES = frozenset({"op", "conn", "connection", "bind", "connectable", "session", "db"})
_DML = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|DELETE|MERGE\s+INTO)\s+", re.I)
_DML_TABLE = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO)\s+(?:ONLY\s+)?"?([\w.]+)"?', re.I
)
_DDL = re.compile(r"^\s*(?:CREATE|ALTER|DROP|COMMENT|GRANT|REVOKE)\s", re.I)


def _connection_names(func: ast.AST) -> set[str]:
    """Names bound in ``func`` to the migration's connection (``op.get_bind()``,
    ``op.get_context().connection``, ``Session(bind=...)``), plus the usual names."""
    names = set(_CONNECTION_NAMES)
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if not isinstance(target, ast.Name):
                continue  # checked before unparsing the value: unparse is the costly part
            text = ast.unparse(node.value)
            if "get_bind" in text or "connection" in text:
                names.add(target.id)
    return names


def _is_execute(call: ast.Call, connections: set[str]) -> bool:
    """``op.execute(...)``, ``conn.execute(...)``, ``op.get_bind().execute(...)``."""
    if not (isinstance(call.func, ast.Attribute) and call.func.attr in {"execute", "exec"}):
        return False
    receiver = call.func.value
    if isinstance(receiver, ast.Call):
        return last_name(receiver.func) == "get_bind"
    dotted = dotted_name(receiver)
    return dotted is not None and dotted.rsplit(".", 1)[-1] in connections


def _sql_text(node: ast.expr) -> str | None:
    """The literal SQL of ``"..."``, ``text("...")``, ``sa.text(f"... {x}")`` (its
    constant head), else None."""
    if isinstance(node, ast.Call) and last_name(node.func) == "text" and node.args:
        node = node.args[0]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        head = node.values[0] if node.values else None
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            return head.value
    return None


def _literal_collection(node: ast.expr) -> bool:
    """A literal list/tuple/set of constants: looping over it repeats one statement a
    fixed number of times (per table, per value), not once per row of data."""
    return isinstance(node, ast.List | ast.Tuple | ast.Set) and all(
        isinstance(e, ast.Constant | ast.Tuple) for e in node.elts
    )


def _constant_name(name: str) -> bool:
    bare = name.lstrip("_")
    return bool(bare) and bare.upper() == bare and any(c.isalpha() for c in bare)


def _over_constant(iterated: ast.expr, func: ast.AST, module: ast.Module) -> bool:
    """A loop over a module constant (``MAPPING.items()``, ``NAMES``, a literal dict of the
    module), or over a local name bound to one: a fixed set of values, not rows of data."""
    if isinstance(iterated, ast.Call) and isinstance(iterated.func, ast.Attribute):
        iterated = iterated.func.value  # .items() / .keys() / .values() / .split(";")
    if isinstance(iterated, ast.Constant):
        return True
    name = dotted_name(iterated) or ""
    last = name.rsplit(".", 1)[-1]
    if last and (_constant_name(last) or (last[0].isupper() and not last.isupper())):
        return True  # a module constant, or a class (iterating an Enum's members)
    for node in [*ast.walk(func), *module.body]:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == name
        ):
            value = node.value
            if isinstance(value, ast.Dict):
                return True  # a literal mapping written in the revision
            if isinstance(value, ast.Call) and last_name(value.func) == "dedent" and value.args:
                value = value.args[0]  # textwrap.dedent("""...""")
            if (
                _literal_collection(value)
                or isinstance(value, ast.JoinedStr)
                or (isinstance(value, ast.Constant) and isinstance(value.value, str))
            ):
                return True  # a local list of names, or the text of a SQL script
            bound = (dotted_name(node.value) or "").rsplit(".", 1)[-1]
            return bool(bound) and _constant_name(bound)
    return False


_BATCH_WORDS = ("batch", "chunk", "page", "slice")


def _batched(loop: ast.For | ast.AsyncFor) -> bool:
    """A loop over batches (``range(0, n, size)``, ``chunks(...)``, ``for batch in ...``)
    is the recommended shape, not a row-by-row migration."""
    if isinstance(loop.iter, ast.Call) and last_name(loop.iter.func) == "range":
        return True
    text = (ast.unparse(loop.target) + " " + ast.unparse(loop.iter)).lower()
    return any(word in text for word in _BATCH_WORDS)


# --------------------------------------------------------------------------------------
# AL005: data migrated row by row


@rule(
    id="AL005",
    title="Data migration runs one statement per row",
    severity="important",
    confidence=75,
    category="alembic",
    explanation=(
        "A revision that reads rows and then runs an UPDATE or INSERT for each of them in "
        "a Python loop makes one database round trip per row. On a production table that "
        "turns a migration of seconds into one of hours, all inside the deploy window and "
        "usually inside one long transaction that holds its locks throughout. Say the "
        "change as one set-based statement (`UPDATE ... SET ... FROM ...`, "
        "`INSERT ... SELECT`), or, when it must run in Python, send many rows per "
        "statement (`conn.execute(table.update(), rows)`) or work in batches of a few "
        "thousand. Loops over a fixed list of tables or values, and loops over batches, "
        "are not flagged; per-row inserts in application code are PF002."
    ),
    before=(
        "def upgrade():\n"
        "    conn = op.get_bind()\n"
        '    for id_, email in conn.execute(sa.text("SELECT id, email FROM users")):\n'
        "        conn.execute(\n"
        '            sa.text("UPDATE users SET email_lower = :e WHERE id = :id"),\n'
        '            {"e": email.lower(), "id": id_},\n'
        "        )\n"
    ),
    after=('def upgrade():\n    op.execute("UPDATE users SET email_lower = lower(email)")\n'),
)
def check_row_by_row(ctx: FileContext) -> Iterator[Hit]:
    """In a revision file: ``op.execute`` / ``<connection>.execute`` inside a ``for``
    loop over data (not over a literal list, a ``range`` or batches). ``while`` loops are
    left alone: they are how batched migrations are usually written. One hit per loop."""
    if not is_revision_file(ctx):
        return
    seen: set[int] = set()
    for func in ctx.tree.body:
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        connections = _connection_names(func)
        loops = sorted(loops_in(func), key=lambda n: (n.lineno, n.col_offset))
        for loop in loops:
            if not isinstance(loop, ast.For | ast.AsyncFor):
                continue
            calls = sorted(calls_in(loop.body), key=lambda c: (c.lineno, c.col_offset))
            executes = [c for c in calls if _is_execute(c, connections)]
            fresh = [c for c in executes if id(c) not in seen]
            seen.update(id(c) for c in executes)
            if (
                not fresh
                or _literal_collection(loop.iter)
                or _batched(loop)
                or _over_constant(loop.iter, func, ctx.tree)
            ):
                continue
            yield Hit.at(
                fresh[0],
                "one statement per row inside a loop: migrate the data with one set-based "
                "statement or in batches",
            )


# --------------------------------------------------------------------------------------
# AL006: schema and data changes in one revision

_SCHEMA_OPS = frozenset(
    {
        "create_table",
        "drop_table",
        "rename_table",
        "add_column",
        "drop_column",
        "alter_column",
        "create_index",
        "drop_index",
        "create_foreign_key",
        "create_unique_constraint",
        "create_check_constraint",
        "create_primary_key",
        "drop_constraint",
        "batch_alter_table",
        "create_table_comment",
        "create_exclude_constraint",
    }
)
_TABLE_FACTORIES = frozenset({"table", "Table", "create_table"})


def _table_of(node: ast.expr | None, tables: dict[str, str]) -> str | None:
    """The table name behind ``sa.table("users", ...)``, a variable bound to one, or
    ``users_table.update()``."""
    if node is None:
        return None
    if isinstance(node, ast.Name):
        return tables.get(node.id)
    if isinstance(node, ast.Call):
        if last_name(node.func) in _TABLE_FACTORIES and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                return first.value
        if isinstance(node.func, ast.Attribute):
            return _table_of(node.func.value, tables)
    if isinstance(node, ast.Attribute):
        return _table_of(node.value, tables)
    return None


def _table_variables(ctx: FileContext, func: ast.AST) -> dict[str, str]:
    tables: dict[str, str] = {}
    for scope in (ctx.tree.body, [func]):
        for stmt in scope:
            for node in ast.walk(stmt) if stmt is func else [stmt]:
                if (
                    isinstance(node, ast.Assign)
                    and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    and isinstance(node.value, ast.Call)
                ):
                    name = _table_of(node.value, {})
                    if name is not None and last_name(node.value.func) in _TABLE_FACTORIES:
                        tables[node.targets[0].id] = name
    return tables


def _data_change(call: ast.Call, tables: dict[str, str], connections: set[str]) -> str | None:
    """If ``call`` changes rows, the table it changes ("" when unknown); else None."""
    if isinstance(call.func, ast.Attribute) and call.func.attr == "bulk_insert":
        if dotted_name(call.func.value) == "op":
            return _table_of(call.args[0] if call.args else None, tables) or ""
        return None
    if not _is_execute(call, connections) or not call.args:
        return None
    statement = call.args[0]
    sql = _sql_text(statement)
    if sql is not None:
        if not _DML.match(sql):
            return None
        match = _DML_TABLE.match(sql)
        return match.group(1).lower() if match else ""
    for node in ast.walk(statement):
        if isinstance(node, ast.Call) and last_name(node.func) in {"update", "insert", "delete"}:
            if isinstance(node.func, ast.Attribute) and not node.args:
                return _table_of(node.func.value, tables) or ""  # users.update()
            return _table_of(node.args[0] if node.args else None, tables) or ""
    return None


def _schema_change(call: ast.Call, connections: set[str]) -> bool:
    if isinstance(call.func, ast.Attribute) and call.func.attr in _SCHEMA_OPS:
        receiver = dotted_name(call.func.value) or ""
        return receiver == "op" or receiver.endswith("batch_op")
    if _is_execute(call, connections) and call.args:
        sql = _sql_text(call.args[0])
        return sql is not None and _DDL.match(sql) is not None
    return False


def _created_tables(calls: list[ast.Call]) -> set[str]:
    created = set()
    for call in calls:
        if (
            isinstance(call.func, ast.Attribute)
            and call.func.attr == "create_table"
            and call.args
            and isinstance(call.args[0], ast.Constant)
        ):
            created.add(str(call.args[0].value).lower())
    return created


@rule(
    id="AL006",
    title="Revision changes both the schema and the data",
    severity="suggestion",
    confidence=65,
    category="alembic",
    explanation=(
        "A revision that alters tables and also rewrites rows couples two things with "
        "different risks. The data step can run for a long time while the DDL's locks "
        "are held, it cannot be retried on its own when it fails halfway, and the "
        "downgrade rarely restores the data. Put the schema change, the backfill and any "
        "tightening (NOT NULL, dropping the old column) in separate revisions, so each "
        "can be deployed, timed and rolled back by itself. Filling a table that the same "
        "revision creates (reference data) is not flagged."
    ),
    before=(
        "def upgrade():\n"
        '    op.add_column("orders", sa.Column("total_cents", sa.BigInteger()))\n'
        '    op.execute("UPDATE orders SET total_cents = total * 100")\n'
        '    op.drop_column("orders", "total")\n'
    ),
    after=(
        "# 0007_add_total_cents.py\n"
        "def upgrade():\n"
        '    op.add_column("orders", sa.Column("total_cents", sa.BigInteger()))\n'
        "\n"
        "# 0008_backfill_total_cents.py\n"
        "def upgrade():\n"
        '    op.execute("UPDATE orders SET total_cents = total * 100")\n'
    ),
)
def check_schema_and_data(ctx: FileContext) -> Iterator[Hit]:
    """Per ``upgrade()`` / ``downgrade()``: at least one schema operation (``op.*`` or DDL
    text) and at least one row change (``op.bulk_insert``, INSERT/UPDATE/DELETE text,
    ``table.update()`` ...) on a table the function did not create itself."""
    if not is_revision_file(ctx):
        return
    for name in ("upgrade", "downgrade"):
        func = _top_level_function(ctx.tree, name)
        if func is None:
            continue
        connections = _connection_names(func)
        calls = sorted(calls_in(func.body), key=lambda c: (c.lineno, c.col_offset))
        schema = [c for c in calls if _schema_change(c, connections)]
        if not schema:
            continue
        created = _created_tables(calls)
        tables = _table_variables(ctx, func)
        for call in calls:
            table = _data_change(call, tables, connections)
            if table is None or (table and table.lower() in created):
                continue
            where = f" of `{table}`" if table else ""
            yield Hit.at(
                call,
                f"{name}() changes rows{where} and also the schema (line "
                f"{schema[0].lineno}): move the data step to its own revision",
            )
            break


# --------------------------------------------------------------------------------------
# AL008: PostgreSQL enum type created but not dropped (or the reverse)

_CREATE_TYPE = re.compile(
    r'CREATE\s+TYPE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?!IF\b)"?([\w.]+)"?\s+AS\s+ENUM', re.I
)
# (?!IF\b): in ``f"DROP TYPE IF EXISTS {name}"`` the name is not in the text; the keyword
# IF must not be read as the type's name.
_DROP_TYPE = re.compile(r'DROP\s+TYPE\s+(?:IF\s+EXISTS\s+)?(?!IF\b)"?([\w.]+)"?', re.I)
# A revision that renames a type rewrites an enum (old type renamed, new one created, old
# one dropped, and the reverse in downgrade): too subtle to pair creates with drops.
_RENAME_TYPE = re.compile(r"ALTER\s+TYPE\s+\S+\s+RENAME\s+TO", re.I)


def _enum_name(call: ast.Call) -> str | None:
    """The type name of ``sa.Enum(..., name="x")`` / ``postgresql.ENUM(..., name="x")``."""
    if last_name(call.func) not in {"Enum", "ENUM"}:
        return None
    name = keyword(call, "name")
    if name is None or not isinstance(name.value, ast.Constant):
        return None
    return str(name.value.value).lower() if name.value.value else None


def _makes_no_type(call: ast.Call) -> bool:
    create_type = keyword(call, "create_type")
    native = keyword(call, "native_enum")
    return (
        create_type is not None
        and isinstance(create_type.value, ast.Constant)
        and create_type.value.value is False
    ) or (native is not None and isinstance(native.value, ast.Constant) and not native.value.value)


def _enum_variables(ctx: FileContext) -> dict[str, ast.Call]:
    """Module-level (and function-level) ``status = postgresql.ENUM(..., name="status")``."""
    found: dict[str, ast.Call] = {}
    for node in ctx.nodes(ast.Assign):
        if (
            len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
            and _enum_name(node.value) is not None
        ):
            found[node.targets[0].id] = node.value
    return found


def _enum_of(node: ast.expr, variables: dict[str, ast.Call]) -> ast.Call | None:
    if isinstance(node, ast.Call) and _enum_name(node) is not None:
        return node
    if isinstance(node, ast.Name):
        return variables.get(node.id)
    return None


def _enum_actions(
    func: ast.FunctionDef, variables: dict[str, ast.Call]
) -> tuple[dict[str, tuple[ast.AST, bool]], set[str]]:
    """What ``func`` does to enum types: {name: (where, explicit)} created (an enum in a
    created table or column, ``ENUM(...).create(bind)``, ``CREATE TYPE``), and the set of
    names dropped (``.drop(bind)``, ``DROP TYPE``)."""
    created: dict[str, tuple[ast.AST, bool]] = {}
    dropped: set[str] = set()
    drop_receivers: set[int] = set()
    for call in sorted(calls_in(func.body), key=lambda c: (c.lineno, c.col_offset)):
        func_ = call.func
        if isinstance(func_, ast.Attribute) and func_.attr in {"create", "drop"}:
            enum = _enum_of(func_.value, variables)
            if enum is not None:
                drop_receivers.add(id(enum))
                name = _enum_name(enum)
                assert name is not None
                if func_.attr == "drop":
                    dropped.add(name)
                else:
                    created.setdefault(name, (call, True))
                continue
        if isinstance(func_, ast.Attribute) and func_.attr == "execute" and call.args:
            sql = _sql_text(call.args[0]) or ""
            if match := _CREATE_TYPE.search(sql):
                created.setdefault(match.group(1).lower(), (call, True))
            elif match := _DROP_TYPE.search(sql):
                dropped.add(match.group(1).lower())
            continue
        if isinstance(func_, ast.Attribute) and func_.attr in {"create_table", "add_column"}:
            for inner in ast.walk(call):
                if isinstance(inner, ast.Call) and id(inner) not in drop_receivers:
                    enum = _enum_of(inner, variables)
                    if enum is None:
                        for arg in inner.args:
                            if isinstance(arg, ast.Name) and arg.id in variables:
                                enum = variables[arg.id]
                    if enum is None or _makes_no_type(enum):
                        continue
                    name = _enum_name(enum)
                    assert name is not None
                    explicit = last_name(enum.func) == "ENUM"
                    created.setdefault(name, (inner, explicit))
    return created, dropped


@rule(
    id="AL008",
    title="PostgreSQL enum type not undone by the other direction",
    severity="important",
    confidence=75,
    category="alembic",
    explanation=(
        "On PostgreSQL an `Enum` column creates a separate named type. Dropping the table "
        "in `downgrade()` does not drop that type, so the type outlives the rollback and "
        'the next `upgrade()` fails with "type already exists". The same happens the '
        "other way round when `upgrade()` drops a type that `downgrade()` never brings "
        "back. Drop the type explicitly after the table (`sa.Enum(name=...).drop(bind)` or "
        "`DROP TYPE`), and re-create it before use when going back. Types declared with "
        "`create_type=False` belong to another revision and are not flagged."
    ),
    before=(
        "def upgrade():\n"
        '    op.create_table("tickets", sa.Column("state", sa.Enum("open", "closed", '
        'name="ticket_state")))\n'
        "\n"
        "def downgrade():\n"
        '    op.drop_table("tickets")\n'
    ),
    after=(
        "def upgrade():\n"
        '    op.create_table("tickets", sa.Column("state", sa.Enum("open", "closed", '
        'name="ticket_state")))\n'
        "\n"
        "def downgrade():\n"
        '    op.drop_table("tickets")\n'
        '    sa.Enum(name="ticket_state").drop(op.get_bind(), checkfirst=True)\n'
    ),
)
def check_enum_lifecycle(ctx: FileContext) -> Iterator[Hit]:
    """Named enum types (``name=`` given) created in ``upgrade()`` and not dropped in
    ``downgrade()``, or dropped in ``upgrade()`` and not re-created in ``downgrade()``.
    A missing or empty ``downgrade()`` is AL001's finding, not this one's. A generic
    ``sa.Enum`` in a table gets a lower confidence than an explicit PostgreSQL ``ENUM``
    or ``CREATE TYPE`` (on other databases it creates no type)."""
    if not is_revision_file(ctx):
        return
    upgrade = _top_level_function(ctx.tree, "upgrade")
    downgrade = _top_level_function(ctx.tree, "downgrade")
    if upgrade is None or downgrade is None or not _statements(downgrade):
        return
    if _RENAME_TYPE.search(ctx.source):
        return
    variables = _enum_variables(ctx)
    up_created, up_dropped = _enum_actions(upgrade, variables)
    down_created, down_dropped = _enum_actions(downgrade, variables)
    for name, (where, explicit) in up_created.items():
        if name in down_dropped or name in up_dropped:
            continue
        yield Hit.at(
            where,
            f"enum type `{name}` is created here but `downgrade()` never drops it",
            confidence=None if explicit else 65,
        )
    down_text = ast.unparse(downgrade).lower()
    for name in sorted(up_dropped - set(up_created) - set(down_created)):
        site = _drop_site(upgrade, name, variables)
        if _if_exists(site) and name not in down_text:
            continue  # a defensive clean-up of a leftover type the downgrade never uses
        yield Hit.at(
            site,
            f"enum type `{name}` is dropped here but `downgrade()` never re-creates it",
        )


def _if_exists(site: ast.AST) -> bool:
    return isinstance(site, ast.Call) and "if exists" in " ".join(ast.unparse(site).lower().split())


def _drop_site(func: ast.FunctionDef, name: str, variables: dict[str, ast.Call]) -> ast.AST:
    for call in sorted(calls_in(func.body), key=lambda c: (c.lineno, c.col_offset)):
        if isinstance(call.func, ast.Attribute) and call.func.attr == "drop":
            enum = _enum_of(call.func.value, variables)
            if enum is not None and _enum_name(enum) == name:
                return call
        if isinstance(call.func, ast.Attribute) and call.func.attr == "execute" and call.args:
            match = _DROP_TYPE.search(_sql_text(call.args[0]) or "")
            if match and match.group(1).lower() == name:
                return call
    return func
