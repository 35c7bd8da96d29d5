"""Server-side SVG charts: no JavaScript, no CDN, nothing for the CSP to allow.

Every label is escaped; the markup is built here and marked safe only as a whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Series:
    """A named row of values; None is "no data" (e.g. before a project's first scan): the
    chart leaves it empty instead of drawing a zero."""

    name: str
    values: Sequence[float | None]
    css: str  # a class from static/css/insights.css, e.g. "s-critical"


def _known(values: Sequence[float | None]) -> list[float]:
    return [v for v in values if v is not None]


def _runs(points: Sequence[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """The stretches of consecutive known points (a line is not drawn across no data)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in points:
        if y is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((x, y))
    return [run for run in runs if run]


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    width: int = 720,
    height: int = 220,
    title: str = "",
    unit: str = "",
) -> SafeString:
    """Lines over time, one per series, with a y-axis maximum and the first/last label."""
    pad, left = 16.0, 44.0
    top = max([max(_known(s.values), default=0) for s in series] + [0])
    n = max(len(labels), 1)
    step = (width - left - pad) / max(n - 1, 1)
    xs = [left + i * step for i in range(n)]
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{left}" y1="{height - pad}" x2="{width - pad}" '
        f'y2="{height - pad}"/>',
        f'<text class="tick" x="{left - 6}" y="{pad + 4}" text-anchor="end">'
        f"{escape(_fmt(top))}{escape(unit)}</text>",
        f'<text class="tick" x="{left - 6}" y="{height - pad}" text-anchor="end">0</text>',
    ]
    if labels:
        parts.append(f'<text class="tick" x="{left}" y="{height - 2}">{escape(labels[0])}</text>')
        parts.append(
            f'<text class="tick" x="{width - pad}" y="{height - 2}" text-anchor="end">'
            f"{escape(labels[-1])}</text>"
        )
    scale = top or 1.0
    for s in series:
        ys = [None if v is None else pad + (height - 2 * pad) * (1 - v / scale) for v in s.values]
        for run in _runs(list(zip(xs, ys, strict=False))):
            if len(run) == 1:  # a lone point (e.g. the first scan): a dot, not a line
                ((x, y),) = run
                parts.append(
                    f'<circle class="dot {escape(s.css)}" cx="{x:.1f}" cy="{y:.1f}" r="3">'
                    f"<title>{escape(s.name)}</title></circle>"
                )
                continue
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(
                f'<polyline class="line {escape(s.css)}" points="{points}">'
                f"<title>{escape(s.name)}</title></polyline>"
            )
    parts.append("</svg>")
    legend = "".join(
        f'<span class="legend {escape(s.css)}">{escape(s.name)}</span>' for s in series
    )
    return _figure(parts, legend)


def bar_pairs(
    labels: Sequence[str],
    first: Series,
    second: Series,
    *,
    width: int = 720,
    height: int = 180,
    title: str = "",
) -> SafeString:
    """Two bars per label (e.g. new vs fixed per week)."""
    pad, left = 16.0, 44.0
    top = max([*_known(first.values), *_known(second.values), 0]) or 1
    n = max(len(labels), 1)
    slot = (width - left - pad) / n
    bar = max(slot / 2 - 2, 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text class="tick" x="{left - 6}" y="{pad + 4}" text-anchor="end">{_fmt(top)}</text>',
    ]
    for i, label in enumerate(labels):
        for j, s in enumerate((first, second)):
            value = s.values[i] if i < len(s.values) else None
            if value is None:
                continue  # no data that week: no bar (a zero would read as "none")
            h = (height - 2 * pad) * value / top
            x = left + i * slot + j * (bar + 1)
            parts.append(
                f'<rect class="bar {escape(s.css)}" x="{x:.1f}" y="{height - pad - h:.1f}" '
                f'width="{bar:.1f}" height="{h:.1f}"><title>{escape(label)}: '
                f"{escape(s.name)} {_fmt(value)}</title></rect>"
            )
    parts.append("</svg>")
    legend = "".join(
        f'<span class="legend {escape(s.css)}">{escape(s.name)}</span>' for s in (first, second)
    )
    return _figure(parts, legend)


def sparkline(raw: Sequence[float | None], *, width: int = 80, height: int = 20) -> SafeString:
    values = _known(raw)  # the known weeks only
    if not values:
        return mark_safe("")
    top = max(values) or 1
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (height - 4) * v / top:.1f}" for i, v in enumerate(values)
    )
    trend = "up" if values[-1] > values[0] else "down" if values[-1] < values[0] else "flat"
    return mark_safe(  # noqa: S308 - numbers only
        f'<svg class="spark spark-{trend}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" aria-hidden="true"><polyline points="{points}"/></svg>'
    )


def _figure(parts: list[str], legend: str) -> SafeString:
    """Wrap chart pieces; every piece was escaped where it was built."""
    html = f'<figure class="chart-box">{"".join(parts)}<figcaption>{legend}</figcaption></figure>'
    return mark_safe(html)  # noqa: S308


def _fmt(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
