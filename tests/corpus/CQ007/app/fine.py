from collections.abc import Callable

HANDLERS: dict[str, Callable] = {}
PLUGINS: list[type] = []
DEFAULTS = {"page_size": 50}
_engine = None
_ready = False
ALLOWED = ["a", "b"]


def handler(name: str):
    def decorate(func: Callable) -> Callable:
        HANDLERS[name] = func
        return func

    return decorate


def register_plugin(cls: type) -> None:
    PLUGINS.append(cls)


class Base:
    def __init_subclass__(cls) -> None:
        PLUGINS.append(cls)


def get_engine():
    global _engine
    if _engine is None:
        _engine = object()
    return _engine


def mark_ready() -> None:
    global _ready
    _ready = True


def settings(overrides: dict) -> dict:
    merged = dict(DEFAULTS)
    merged.update(overrides)
    return merged


def allowed(extra: list[str]) -> list[str]:
    ALLOWED = ["c"]
    ALLOWED.extend(extra)
    return ALLOWED


def local_copy(items):
    seen = set()
    for item in items:
        seen.add(item)
    return seen


def lookup(key: str):
    return DEFAULTS.get(key)


class Cache:
    items: dict = {}

    def put(self, key, value) -> None:
        self.items[key] = value


PLUGINS.append(Base)
DEFAULTS["debug"] = False


_EXC_MAP: dict = {}


def exc_map() -> dict:
    global _EXC_MAP
    if len(_EXC_MAP) == 0:
        _EXC_MAP = {"a": 1}
    return _EXC_MAP


class Meta(type):
    def __new__(mcs, name, bases, ns):
        cls = super().__new__(mcs, name, bases, ns)
        PLUGINS.append(cls)
        return cls
