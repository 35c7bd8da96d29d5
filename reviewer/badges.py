"""The quality gate as a small SVG badge for READMEs (no data beyond passed/failed)."""

from __future__ import annotations

from reviewer.models import GateResult

COLOURS = {"passed": "#2e7d32", "failed": "#c62828", "none": "#757575"}
LABEL = "quality gate"
CHAR_WIDTH = 7  # px per character of 11px Verdana, near enough for a badge


def gate_badge(result: GateResult | None) -> str:
    status = "none" if result is None else ("passed" if result.passed else "failed")
    left = len(LABEL) * CHAR_WIDTH + 10
    right = len(status) * CHAR_WIDTH + 10
    width = left + right
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" '
        f'role="img" aria-label="{LABEL}: {status}">'
        f"<title>{LABEL}: {status}</title>"
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{COLOURS[status]}"/>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" '
        'font-size="11">'
        f'<text x="{left / 2}" y="14">{LABEL}</text>'
        f'<text x="{left + right / 2}" y="14">{status}</text>'
        "</g></svg>"
    )
