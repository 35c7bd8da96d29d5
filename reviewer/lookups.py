"""``field__any=[...]``: membership in a long list of ids as ONE array parameter.

``field__in=[1, 2, ... 500]`` writes 500 placeholders into the SQL text; psycopg caches
the conversion of a query text only up to 4 kB, so every run of such a query re-parses
it (~1 ms per query for the meeting's lists of project and scan ids). On PostgreSQL this
lookup writes ``field = ANY(%s)`` instead (the same plan: PostgreSQL turns ``IN`` lists
into ``= ANY`` itself); other databases (the embedded SQLite) get the plain ``IN`` list.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, ForeignObject, Lookup
from django.db.models.sql.compiler import SQLCompiler


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[Any]:
        return [self.lhs.output_field.get_prep_value(value) for value in self.rhs]

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        lhs, params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, values]
        if not values:
            return "1 = 0", list(params)
        marks = ", ".join(["%s"] * len(values))
        return f"{lhs} IN ({marks})", [*params, *values]


# Foreign keys only look up what is registered on ForeignObject and its subclasses.
Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)
