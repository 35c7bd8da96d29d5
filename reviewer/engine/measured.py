"""Precision measured on the labeled real-world set (bench/labels, bench/precision.py).

rule id (or ``ruff:CODE``) -> (TP / (TP + FP), labels decided) on the tuning repositories
(held-out ones stay a test of the figures), for rules with at least three true/false
labels among the findings the engine still reports at the pinned commits. Written by
``uv run python bench/precision.py --write-measured`` (docs/precision.md). Rules below
``rule_policy.DEFAULT_PROFILE_MIN_PRECISION`` are candidates to leave the default profile;
:func:`below_default` lists them.
"""

from __future__ import annotations

MEASURED: dict[str, tuple[float, int]] = {
    "AL003": (1.0, 7),
    "AL004": (0.5, 4),
    "AL005": (1.0, 8),
    "AL008": (0.43, 7),
    "AS001": (0.86, 7),
    "AS002": (0.0, 3),
    "CQ005": (0.5, 4),
    "FA003": (0.83, 6),
    "FA004": (0.6, 5),
    "FA006": (0.71, 7),
    "PD001": (1.0, 3),
    "PD004": (1.0, 6),
    "PD008": (0.33, 3),
    "PF002": (0.09, 11),
    "PF004": (1.0, 7),
    "PR005": (1.0, 6),
    "PT001": (1.0, 5),
    "PT004": (0.5, 6),
    "SA007": (0.0, 5),
    "SA008": (0.8, 5),
    "SA009": (0.25, 8),
    "SA011": (1.0, 3),
    "ruff:ASYNC109": (0.0, 3),
    "ruff:ASYNC240": (0.0, 9),
    "ruff:BLE001": (0.0, 10),
    "ruff:FAST001": (1.0, 8),
    "ruff:FAST003": (0.0, 5),
    "ruff:PT011": (0.8, 5),
    "ruff:PT012": (0.0, 4),
    "ruff:PT014": (1.0, 3),
    "ruff:PT017": (0.4, 5),
    "ruff:PT019": (0.0, 4),
    "ruff:RUF006": (1.0, 3),
    "ruff:T201": (0.0, 5),
}


def measured(rule_id: str) -> tuple[float, int] | None:
    return MEASURED.get(rule_id)


def below_default(threshold: float) -> list[str]:
    """Rule ids whose measured precision is under ``threshold``."""
    return sorted(r for r, (precision, _) in MEASURED.items() if precision < threshold)
