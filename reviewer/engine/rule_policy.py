"""Why each native rule has its severity, and how precise it is on real code.

docs/severity.md is the policy; this table is its application, rule by rule. The
registry copies each entry onto its rule (``Rule.severity_reason``, ``Rule.precision``,
``Rule.precision_measured``, and ``Rule.profile``: "extended" below 0.8), so rule pages
show them and the default profile leaves imprecise rules out.

``precision`` is the share of a rule's findings on real code that a reviewer judges
worth their time (true and relevant). Figures marked ``measured=True`` come from the
labeled set (bench/labels/*.jsonl via bench/precision.py); the others are our careful
estimate from reading findings on public FastAPI/SQLAlchemy/Alembic code, to be replaced
by measured figures as labels are added.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Precision below this keeps a rule out of the default profile.
DEFAULT_PROFILE_MIN_PRECISION = 0.8

_MODERN = "Suggestion: modernisation; the code works today"
_STYLE = "Suggestion: style or maintainability, no behaviour at stake"


@dataclass(frozen=True, slots=True)
class Policy:
    reason: str
    precision: float  # our estimate; a measured figure (measured.py) replaces it
    measured: bool = False
    # Why the rule stays in the default profile although its measured figure is under
    # the bar: the labeled false positives are gone since it was measured (a figure to
    # re-measure, not a standing exception). Empty: the figure decides.
    kept_in_default: str = ""

    @property
    def profile(self) -> str:
        return "extended" if self.precision < DEFAULT_PROFILE_MIN_PRECISION else "default"


def profile_for(rule_id: str, precision: float | None) -> str:
    """The profile a rule with this precision figure belongs to (docs/severity.md)."""
    policy = POLICY.get(rule_id)
    if policy is not None and policy.kept_in_default:
        return "default"
    if precision is not None and precision < DEFAULT_PROFILE_MIN_PRECISION:
        return "extended"
    return "default"


POLICY: dict[str, Policy] = {
    # Alembic
    "AL001": Policy(
        "Important: a failed deploy cannot be rolled back with `alembic downgrade`; an "
        "operational risk, not data loss by itself. Not reported for a documented no-op "
        "downgrade of a data-only revision",
        0.85,
    ),
    "AL002": Policy(
        "Important: dropping a column or table destroys its data; usually deliberate, "
        "always worth a second reader",
        0.8,
    ),
    "AL003": Policy("Important: the upgrade fails on any non-empty table (a failed deploy)", 0.85),
    "AL004": Policy(
        "Suggestion: the table is locked while the index builds, which matters only on "
        "large tables; PostgreSQL-only, so never reported for chains that cannot run there",
        0.6,
    ),
    "AL005": Policy(
        "Important: a real performance cost (hours on large tables) in one-off code", 0.7
    ),
    "AL006": Policy(_STYLE + " (splitting schema and data changes eases rollbacks)", 0.6),
    "AL007": Policy(
        "Critical: `alembic upgrade head` fails, so every deploy fails (an outage of the "
        "release path)",
        0.95,
    ),
    "AL008": Policy(
        "Important: the enum type survives the downgrade and the next upgrade fails; "
        "PostgreSQL-only, so never reported for chains that cannot run there",
        0.8,
    ),
    "AL009": Policy(
        "Suggestion: the database default (restrict) may be what is wanted. When the model "
        "declares the same foreign key, SA011 reports it there and AL009 stays quiet",
        0.6,
    ),
    # asyncio
    "AS001": Policy(
        "Critical for real blocking (network, child processes, sleep > 0, copying or "
        "deleting file trees) on a request path: the event loop stalls for every request. "
        "Important for one local file (open, copy, move: usually milliseconds). Trivial "
        "syscalls (Path.resolve, os.path.exists), calls handed to a thread, start-up and "
        "shutdown hooks, and test, script and command-line code are not reported",
        0.9,
    ),
    "AS002": Policy("Suggestion: a latency gain, not a bug", 0.5),
    "AS003": Policy("Critical: raises RuntimeError every time it runs inside a running loop", 0.9),
    "AS004": Policy(
        "Critical: the coroutine never runs, so its work (a write, a notification) is "
        "silently lost",
        0.85,
    ),
    # quality and security
    "CQ003": Policy(_STYLE + " (configuration in one place)", 0.6),
    "CQ004": Policy(
        "Critical: a leaked credential is an exploitable security hole. Test code, "
        "examples, placeholders and masks are left alone. ruff's S105/S106/S107 are not "
        "run: CQ004 is the one finding",
        0.8,
    ),
    "CQ005": Policy(
        "Critical: fast-hashed passwords or unverified JWTs are exploitable. ruff's S324 "
        "is not run: CQ005 is the one finding",
        0.85,
    ),
    "CQ007": Policy(_STYLE + " (shared mutable state)", 0.6),
    # FastAPI
    "FA001": Policy(_MODERN + " (on_event is deprecated in favour of lifespan)", 0.95),
    "FA002": Policy(
        "Important: a wildcard origin lets any site call the API. Critical when "
        "credentials are allowed too: Starlette then echoes any origin, so any site can "
        "act with the user's cookies (exploitable)",
        0.85,
    ),
    "FA003": Policy(_STYLE + " (documented responses)", 0.7),
    "FA004": Policy(_STYLE + " (API documentation)", 0.5),
    "FA005": Policy(
        "Important: threads started per request escape the server's limits (a likely bug)",
        0.8,
    ),
    "FA006": Policy(_STYLE + " (HTTP semantics)", 0.6),
    "FA007": Policy(_MODERN + " (regex= is a deprecated alias of pattern=)", 0.95),
    "PARSE001": Policy("Important: the file cannot be imported, so its code never runs", 1.0),
    # Pydantic
    "PD001": Policy(_MODERN + " (class Config still works in v2, deprecated)", 0.95),
    "PD002": Policy(
        "Important: v2 renames some v1 keys with a warning and ignores removed ones "
        "silently, so the setting may not apply (a likely bug)",
        0.9,
    ),
    "PD003": Policy(_MODERN + " (@validator still works in v2, deprecated)", 0.95),
    "PD004": Policy(_MODERN + " (v1 methods still work in v2, deprecated)", 0.8),
    "PD005": Policy("Important: the import fails on Pydantic v2 (a likely bug)", 0.95),
    "PD006": Policy("Important: v2 rejects or ignores some v1 Field arguments (a likely bug)", 0.9),
    "PD007": Policy(_MODERN + " (the v1 compatibility layer)", 0.95),
    "PD008": Policy(_STYLE + " (validation precision)", 0.6),
    # performance
    "PF001": Policy("Important: a real performance cost when the table grows", 0.6),
    "PF002": Policy("Important: a real performance cost (one round trip per row)", 0.7),
    "PF003": Policy(_STYLE + " (pool settings by default are often fine)", 0.6),
    "PF004": Policy("Suggestion: a performance hint that depends on the queries", 0.6),
    # project
    "PR001": Policy(_STYLE + " (one configuration file)", 0.85),
    "PR002": Policy("Suggestion: reproducible installs; no bug today", 0.8),
    "PR004": Policy(_STYLE + " (tooling)", 0.8),
    "PR005": Policy(
        "Important: a container running as root widens any compromise (hardening)", 0.85
    ),
    "PR006": Policy(
        "Critical when a dotenv file with real values is committed (leaked credentials); "
        "a missing .env.example is a Suggestion",
        0.85,
    ),
    # tests
    "PT001": Policy(
        "Important: a test that cannot fail protects nothing (a likely bug in the test)",
        0.8,
    ),
    "PT002": Policy("Important: the test never runs, so it protects nothing", 0.85),
    "PT003": Policy(_STYLE + " (test setup)", 0.8),
    "PT004": Policy("Suggestion: slow or flaky tests, no production impact", 0.8),
    "PT005": Policy("Suggestion: coverage advice", 0.5),
    # SQLAlchemy
    "SA001": Policy(_MODERN + " (the Query API is legacy in 2.0, still supported)", 0.95),
    "SA002": Policy(_MODERN + " (typed Mapped[] columns)", 0.95),
    "SA003": Policy(_MODERN + " (typed relationships)", 0.9),
    "SA004": Policy(_MODERN + " (DeclarativeBase)", 0.95),
    "SA005": Policy(
        "Important: a real performance cost (one query per row). One finding per "
        "relationship per loop; scripts at most Suggestion; not reported in tests, nor in "
        "migrations, where per-row work is AL005's finding",
        0.8,
    ),
    "SA006": Policy(
        "Important: the lazy load raises in async code when it runs (a likely bug); not "
        "Critical until its precision is measured",
        0.8,
    ),
    "SA007": Policy(
        "Critical: SQL injection is an exploitable security hole. ruff's S608 is not run: "
        "SA007 is the one finding",
        0.8,
    ),
    "SA008": Policy("Important: leaked connections or a broken session (a likely bug)", 0.7),
    "SA009": Policy("Important: a real performance cost (one transaction per row)", 0.8),
    "SA010": Policy("Important: the API is gone in SQLAlchemy 2.0 (a likely bug)", 0.9),
    "SA011": Policy(
        "Suggestion: the database default (restrict) may be what is wanted. The one "
        "finding for a foreign key declared both in a model and in a migration",
        0.6,
    ),
}
