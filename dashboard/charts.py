"""Server-side SVG charts: no JavaScript, no CDN, nothing for the CSP to allow.

This module computes the geometry only (numbers and the labels to show); the markup is
in ``templates/charts/*.html``, rendered with autoescaping, so a project or series name
can never become markup. A chart object renders itself where a template prints it
(``{{ open_chart }}``); sparklines are drawn inline by the page that lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

PAD, LEFT = 16.0, 44.0


@dataclass(frozen=True)
class Series:
    """A named row of values; None is "no data" (e.g. before a project's first scan): the
    chart leaves it empty instead of drawing a zero."""

    name: str
    values: Sequence[float | None]
    css: str  # a class from static/css/insights.css, e.g. "s-critical"


@dataclass(frozen=True)
class Line:
    """One stretch of known points of a series; a lone point is drawn as a dot."""

    name: str
    css: str
    points: str  # "x,y x,y ..."
    dot: tuple[str, str] | None = None  # (cx, cy) of a lone point


@dataclass(frozen=True)
class Bar:
    css: str
    x: str
    y: str
    width: str
    height: str
    label: str  # the hover title: "2026-01-05: New 3"


@dataclass(frozen=True)
class Chart:
    """A line or bar chart, drawn by ``template`` (escaped there)."""

    template: str
    title: str
    width: int
    height: int
    top: str  # the y-axis maximum as shown, unit included
    first_label: str = ""
    last_label: str = ""
    lines: tuple[Line, ...] = ()
    bars: tuple[Bar, ...] = ()
    legend: tuple[Series, ...] = ()

    @property
    def axis_y(self) -> float:
        return self.height - PAD

    @property
    def axis_right(self) -> float:
        return self.width - PAD

    def __html__(self) -> SafeString:
        return render_to_string(self.template, {"chart": self, "left": LEFT, "pad": PAD})

    def __str__(self) -> str:
        return self.__html__()


@dataclass(frozen=True)
class Sparkline:
    points: str
    trend: str  # "up", "down" or "flat"
    width: int
    height: int


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
) -> Chart:
    """Lines over time, one per series, with a y-axis maximum and the first/last label."""
    top = max([max(_known(s.values), default=0) for s in series] + [0])
    n = max(len(labels), 1)
    step = (width - LEFT - PAD) / max(n - 1, 1)
    xs = [LEFT + i * step for i in range(n)]
    scale = top or 1.0
    lines = []
    for s in series:
        ys = [None if v is None else PAD + (height - 2 * PAD) * (1 - v / scale) for v in s.values]
        for run in _runs(list(zip(xs, ys, strict=False))):
            if len(run) == 1:  # a lone point (e.g. the first scan): a dot, not a line
                ((x, y),) = run
                lines.append(Line(s.name, s.css, "", (f"{x:.1f}", f"{y:.1f}")))
                continue
            lines.append(Line(s.name, s.css, " ".join(f"{x:.1f},{y:.1f}" for x, y in run)))
    return Chart(
        "charts/line.html",
        title,
        width,
        height,
        f"{_fmt(top)}{unit}",
        labels[0] if labels else "",
        labels[-1] if labels else "",
        lines=tuple(lines),
        legend=tuple(series),
    )


def bar_pairs(
    labels: Sequence[str],
    first: Series,
    second: Series,
    *,
    width: int = 720,
    height: int = 180,
    title: str = "",
) -> Chart:
    """Two bars per label (e.g. new vs fixed per week)."""
    top = max([*_known(first.values), *_known(second.values), 0]) or 1
    n = max(len(labels), 1)
    slot = (width - LEFT - PAD) / n
    bar = max(slot / 2 - 2, 1)
    bars = []
    for i, label in enumerate(labels):
        for j, s in enumerate((first, second)):
            value = s.values[i] if i < len(s.values) else None
            if value is None:
                continue  # no data that week: no bar (a zero would read as "none")
            h = (height - 2 * PAD) * value / top
            x = LEFT + i * slot + j * (bar + 1)
            bars.append(
                Bar(
                    s.css,
                    f"{x:.1f}",
                    f"{height - PAD - h:.1f}",
                    f"{bar:.1f}",
                    f"{h:.1f}",
                    f"{label}: {s.name} {_fmt(value)}",
                )
            )
    return Chart(
        "charts/bars.html",
        title,
        width,
        height,
        _fmt(top),
        bars=tuple(bars),
        legend=(first, second),
    )


def sparkline(
    raw: Sequence[float | None], *, width: int = 80, height: int = 20
) -> Sparkline | None:
    values = _known(raw)  # the known weeks only
    if not values:
        return None
    top = max(values) or 1
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (height - 4) * v / top:.1f}" for i, v in enumerate(values)
    )
    trend = "up" if values[-1] > values[0] else "down" if values[-1] < values[0] else "flat"
    return Sparkline(points, trend, width, height)


def _fmt(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
