"""Rule modules. Importing this package registers every rule in ``registry.REGISTRY``.

To add a rule: write a ``check(ctx)`` generator in the module of its area (or a new module
imported below), decorate it with ``@rule(...)`` (or ``@project_rule(...)`` for a check
that needs the whole tree), and add positive and negative cases to ``tests/engine``.
"""

from reviewer.engine.rules import (
    alembic,
    alembic_data,
    alembic_graph,
    alembic_ops,
    asyncio,
    asyncio_concurrency,
    fastapi,
    fastapi_params,
    fastapi_routes,
    module_state,
    parse,
    performance,
    project_files,
    pydantic,
    pydantic_types,
    pydantic_v1,
    quality,
    security,
    sqlalchemy,
    sqlalchemy_api,
    sqlalchemy_loading,
    sqlalchemy_sessions,
    testing,
    testing_async,
)

__all__ = [
    "alembic",
    "alembic_data",
    "alembic_graph",
    "alembic_ops",
    "asyncio",
    "asyncio_concurrency",
    "fastapi",
    "fastapi_params",
    "fastapi_routes",
    "module_state",
    "parse",
    "performance",
    "project_files",
    "pydantic",
    "pydantic_types",
    "pydantic_v1",
    "quality",
    "security",
    "sqlalchemy",
    "sqlalchemy_api",
    "sqlalchemy_loading",
    "sqlalchemy_sessions",
    "testing",
    "testing_async",
]
