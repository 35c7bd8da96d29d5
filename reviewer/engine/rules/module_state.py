"""CQ007: module-level mutable state changed from inside functions."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from reviewer.engine.context import FileContext
from reviewer.engine.registry import Hit, rule
from reviewer.engine.rules.helpers import is_test_code

_MUTABLE_FACTORIES = frozenset(
    {
        "builtins.list",
        "builtins.dict",
        "builtins.set",
        "builtins.bytearray",
        "collections.defaultdict",
        "collections.OrderedDict",
        "collections.Counter",
        "collections.deque",
    }
)
_MUTATORS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "pop",
        "remove",
        "clear",
        "update",
        "setdefault",
        "add",
        "discard",
        "popitem",
        "appendleft",
        "extendleft",
        "popleft",
        "sort",
        "reverse",
    }
)
_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)
_BOUNDARIES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _is_mutable(ctx: FileContext, value: ast.expr | None) -> bool:
    if isinstance(value, ast.List | ast.Dict | ast.Set | ast.ListComp | ast.DictComp | ast.SetComp):
        return True
    return isinstance(value, ast.Call) and ctx.qualified(value.func) in _MUTABLE_FACTORIES


def _module_values(ctx: FileContext) -> dict[str, ast.expr | None]:
    """Names the module binds at top level, with the (last) value bound."""
    values: dict[str, ast.expr | None] = {}
    for stmt in ctx.tree.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    values[target.id] = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            values[stmt.target.id] = stmt.value
    return values


def _own_nodes(func: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """The nodes of a function's body, not those of functions/classes nested in it."""
    stack: list[ast.AST] = list(func.body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, _BOUNDARIES):
            stack.extend(ast.iter_child_nodes(node))


def _returns_a_parameter(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A decorator (``def register(fn): REGISTRY[...] = fn; return fn``): it runs at
    import time to fill a registry, which is what module state is for."""
    params = {a.arg for a in [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]}
    return any(
        isinstance(node, ast.Return)
        and isinstance(node.value, ast.Name)
        and node.value.id in params
        for node in _own_nodes(func)
    )


def _guarded_by(func: ast.FunctionDef | ast.AsyncFunctionDef, node: ast.AST, name: str) -> bool:
    """Whether ``node`` sits in the body of an ``if`` that tests ``name`` itself."""
    line = getattr(node, "lineno", 0)
    for branch in _own_nodes(func):
        if (
            isinstance(branch, ast.If)
            and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(branch.test))
            and branch.body[0].lineno <= line <= (branch.body[-1].end_lineno or 0)
        ):
            return True
    return False


def _subscripted_name(target: ast.expr) -> str | None:
    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
        return target.value.id
    return None


def _mutations(
    func: ast.FunctionDef | ast.AsyncFunctionDef, declared_global: set[str]
) -> Iterator[tuple[ast.AST, str, bool]]:
    """(node, name, rebinding) for each change the function makes to a name: a mutating
    method call, an item assignment or deletion, or a rebinding of a ``global``."""
    for node in _own_nodes(func):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _MUTATORS
            and isinstance(node.func.value, ast.Name)
        ):
            yield node, node.func.value.id, False
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
            for target in targets:
                name = _subscripted_name(target)
                if name is not None:
                    yield node, name, False
                elif isinstance(target, ast.Name) and target.id in declared_global:
                    yield node, target.id, True


@rule(
    id="CQ007",
    title="Module-level mutable state changed by functions",
    severity="suggestion",
    confidence=70,
    category="quality",
    explanation=(
        "A list, dict or set created at module level and filled or changed by functions "
        "is state shared by every request, worker thread and test in the process. It "
        "grows without bound when used as a cache, leaks data from one user or test to "
        "the next, and races when two threads change it at once; nothing in a function's "
        "signature says it depends on it. Keep the state in an object that is created "
        "and passed where it is needed (an app-level dependency, `app.state`, a class "
        "instance), or use a bounded cache (`functools.lru_cache`, `cachetools`). "
        "Registries filled by decorators at import time, lazy one-time initialisation "
        "(`global _engine` starting at None) and test modules are not flagged."
    ),
    before=(
        "_sessions: dict[str, User] = {}\n"
        "\n"
        "def login(token: str, user: User) -> None:\n"
        "    _sessions[token] = user\n"
    ),
    after=(
        "class SessionStore:\n"
        "    def __init__(self) -> None:\n"
        "        self._sessions: dict[str, User] = {}\n"
        "\n"
        "    def login(self, token: str, user: User) -> None:\n"
        "        self._sessions[token] = user\n"
    ),
)
def check_module_state(ctx: FileContext) -> Iterator[Hit]:
    """Inside a function: a mutating method call (``append``, ``update``, ``pop`` ...),
    an item assignment/deletion on a module-level list/dict/set (not shadowed by a local
    of the same name), or a ``global`` rebinding of such a container, or ``+=`` on any
    ``global``. Skipped: decorators returning their argument, functions whose name says
    they register something, dunder names, and tests. One finding per function and name."""
    if is_test_code(ctx):
        return
    values = _module_values(ctx)
    mutable = {name for name, value in values.items() if _is_mutable(ctx, value)}
    if not mutable and not ctx.nodes(ast.Global):
        return
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = [
        *ctx.nodes(ast.FunctionDef),
        *ctx.nodes(ast.AsyncFunctionDef),
    ]
    for func in functions:
        if (
            "register" in func.name.lower()
            or func.name in {"__init_subclass__", "__new__", "__set_name__"}
            or _returns_a_parameter(func)
        ):
            continue
        declared = {
            name for node in _own_nodes(func) if isinstance(node, ast.Global) for name in node.names
        }
        if not declared and not mutable:
            continue
        shadowing: set[str] | None = None
        reported: set[str] = set()
        for node, name, rebinding in sorted(
            _mutations(func, declared),
            key=lambda m: (getattr(m[0], "lineno", 0), getattr(m[0], "col_offset", 0)),
        ):
            if name in reported or (name.startswith("__") and name.endswith("__")):
                continue
            if rebinding:
                if not (name in mutable or isinstance(node, ast.AugAssign)):
                    continue  # lazy initialisation: ``global _engine; _engine = make()``
                if _guarded_by(func, node, name):
                    continue  # ``if not _cache: _cache = load()``: filled once, lazily
            else:
                if name not in mutable:
                    continue
                if name not in declared:
                    if shadowing is None:
                        shadowing = set(ctx.local_names(func))
                        for scope in ctx.enclosing_scopes(func):
                            if isinstance(scope, _FUNCS):
                                shadowing |= ctx.local_names(scope)
                    if name in shadowing:
                        continue
            reported.add(name)
            yield Hit.at(
                node,
                f"`{func.name}()` changes the module-level `{name}`: state shared by every "
                "caller and thread; keep it on an object that is passed in",
            )
