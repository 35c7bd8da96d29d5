"""Precision measured on the labeled real-world set (bench/labels, bench/precision.py).

rule id (or ``ruff:CODE``) -> (TP / (TP + FP), labels decided), for rules with at least
three true/false labels among the findings the engine still reports at the pinned commits
(docs/precision.md). Rules below ``registry.DEFAULT_PROFILE_MIN_PRECISION`` are candidates
to leave the default profile; :func:`below_default` lists them.
"""

from __future__ import annotations

MEASURED: dict[str, tuple[float, int]] = {
    "AL002": (0.33, 3),
    "AL003": (0.8, 5),
    "AL004": (0.5, 4),
    "AL005": (0.75, 4),
    "AL008": (0.75, 4),
    "AS001": (0.2, 5),
    "AS002": (0.0, 3),
    "CQ003": (0.0, 4),
    "CQ005": (0.33, 6),
    "FA003": (0.83, 6),
    "FA004": (0.6, 5),
    "FA006": (0.71, 7),
    "PD001": (1.0, 3),
    "PD004": (0.75, 4),
    "PD008": (0.33, 3),
    "PF002": (0.0, 4),
    "PF004": (0.88, 8),
    "PR005": (0.6, 5),
    "PT004": (0.5, 6),
    "SA004": (0.0, 3),
    "SA005": (0.0, 8),
    "SA008": (0.67, 3),
    "SA011": (1.0, 3),
    "ruff:ASYNC109": (0.0, 3),
    "ruff:ASYNC240": (0.0, 10),
    "ruff:BLE001": (0.0, 6),
    "ruff:FAST001": (1.0, 8),
    "ruff:FAST003": (0.0, 5),
    "ruff:PT011": (0.8, 5),
    "ruff:PT012": (0.2, 5),
    "ruff:PT014": (1.0, 3),
    "ruff:PT017": (0.4, 5),
    "ruff:PT019": (0.0, 4),
    "ruff:PT028": (0.0, 5),
    "ruff:RUF006": (1.0, 3),
    "ruff:S106": (0.0, 16),
    "ruff:S110": (0.0, 6),
    "ruff:T201": (0.0, 5),
}


def measured(rule_id: str) -> tuple[float, int] | None:
    return MEASURED.get(rule_id)


def below_default(threshold: float) -> list[str]:
    """Rule ids whose measured precision is under ``threshold``."""
    return sorted(r for r, (precision, _) in MEASURED.items() if precision < threshold)
