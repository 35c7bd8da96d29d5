"""Server-side SVG charts: no JavaScript, no CDN, nothing for the CSP to allow.

This module computes the geometry only (numbers and the labels to show); the markup is
in ``templates/charts/*.html``, rendered with autoescaping, so a project or series name
can never become markup. A chart object renders itself where a template prints it
(``{{ open_chart }}``); sparklines are drawn inline by the page that lists them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

PAD, LEFT, BOTTOM = 16.0, 58.0, 34.0  # BOTTOM: room for the x labels and the axis title
X_TICKS = 6  # at most this many x labels


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
class Marker:
    """A point of a line, with its value as the hover title ("2026-01-05: Critical 64")."""

    css: str
    cx: str
    cy: str
    label: str


@dataclass(frozen=True)
class Tick:
    x: str
    label: str
    anchor: str = "middle"  # the first label starts at its point, the last ends there


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
    markers: tuple[Marker, ...] = ()
    x_ticks: tuple[Tick, ...] = ()
    y_label: str = ""  # the y axis' title, e.g. "open findings"
    x_label: str = ""  # the x axis' title, e.g. "week starting"
    middle: str = ""  # the y value half-way up, as shown

    @property
    def axis_y(self) -> float:
        return self.height - BOTTOM

    @property
    def middle_y(self) -> float:
        return PAD + (self.axis_y - PAD) / 2

    @property
    def label_y(self) -> float:
        return self.height - BOTTOM + 14

    @property
    def y_label_x(self) -> float:
        return 12.0

    @property
    def y_label_y(self) -> float:
        return PAD + (self.axis_y - PAD) / 2

    @property
    def x_label_x(self) -> float:
        return LEFT + (self.width - PAD - LEFT) / 2

    @property
    def axis_right(self) -> float:
        return self.width - PAD

    def __html__(self) -> SafeString:
        return render_to_string(
            self.template, {"chart": self, "left": LEFT, "pad": PAD, "bottom": BOTTOM}
        )

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


def _tick_indexes(n: int, most: int = X_TICKS, least_every: int = 1) -> list[int]:
    """Up to ``most`` label positions a whole number of steps apart (every k-th week, not
    gaps of 2, 2, 3, 2), at least ``least_every`` apart, counted back from the last (the
    latest week is always labelled)."""
    every = max((n - 1) // most + 1 if n > most else 1, least_every)
    return list(range(n - 1, -1, -every))[::-1]


#: Half a date label's width in the chart's units: a tick closer to the plot's edge than
#: this is anchored at its start (or end) so that the label is not cut off.
HALF_LABEL = 36
#: The room between two neighbouring labels.
LABEL_GAP = 10


def _ticks(
    xs: Sequence[float], labels: Sequence[str], most: int, edge: float = 0.0
) -> tuple[Tick, ...]:
    """Ticks under ``xs``; ``edge`` is how far the first and last positions sit inside the
    plot (half a bar slot for bars, 0 for lines). Labels are spaced so that none touches
    its neighbour: a last label anchored at its end reaches a whole label's width back."""
    last = len(labels) - 1
    at_edges = edge < HALF_LABEL
    step = xs[1] - xs[0] if len(xs) > 1 else 0.0
    room = (3 if at_edges else 2) * HALF_LABEL + LABEL_GAP
    chosen = _tick_indexes(len(labels), most, math.ceil(room / step) if step > 0 else 1)
    ticks = []
    for i in chosen:
        anchor = "middle"
        if last > 0 and at_edges and i == 0:
            anchor = "start"
        elif last > 0 and at_edges and i == last:
            anchor = "end"
        ticks.append(Tick(f"{xs[i]:.1f}", labels[i], anchor))
    return tuple(ticks)


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    width: int = 1000,
    height: int = 240,
    title: str = "",
    unit: str = "",
    y_label: str = "",
    x_label: str = "week starting",
    x_ticks: int = X_TICKS,
) -> Chart:
    """Lines over time, one per series, with a marker per known point (its value as the
    hover title), y ticks at 0, half and the maximum, and spread x labels."""
    # nothing but zeros (or no data): 0, 1, 2, not "0" at the top and the bottom
    top = _axis_top([v for s in series for v in _known(s.values)]) or 2
    n = max(len(labels), 1)
    step = (width - LEFT - PAD) / max(n - 1, 1)
    xs = [LEFT + i * step for i in range(n)]
    scale = top or 1.0
    plot = height - BOTTOM - PAD
    lines = []
    markers = []
    for s in series:
        ys = [None if v is None else PAD + plot * (1 - v / scale) for v in s.values]
        for run in _runs(list(zip(xs, ys, strict=False))):
            if len(run) == 1:  # a lone point (e.g. the first scan): a dot, not a line
                ((x, y),) = run
                lines.append(Line(s.name, s.css, "", (f"{x:.1f}", f"{y:.1f}")))
                continue
            lines.append(Line(s.name, s.css, " ".join(f"{x:.1f},{y:.1f}" for x, y in run)))
        for i, (value, point_y) in enumerate(zip(s.values, ys, strict=False)):
            if value is None or point_y is None or i >= n:
                continue
            label = f"{labels[i] if i < len(labels) else ''}: {s.name} {_fmt(value)}{unit}"
            markers.append(Marker(s.css, f"{xs[i]:.1f}", f"{point_y:.1f}", label))
    ticks = _ticks(xs, labels, x_ticks)
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
        markers=tuple(markers),
        x_ticks=ticks,
        y_label=y_label,
        x_label=x_label,
        middle=f"{_fmt(top / 2)}{unit}" if top else "",
    )


def bar_pairs(
    labels: Sequence[str],
    first: Series,
    second: Series,
    *,
    width: int = 1000,
    height: int = 220,
    title: str = "",
    y_label: str = "findings",
    x_label: str = "week starting",
) -> Chart:
    """Two bars per label (e.g. new vs fixed per week), with spread x labels."""
    top = _axis_top([*_known(first.values), *_known(second.values)]) or 2  # 0, 1, 2
    n = max(len(labels), 1)
    slot = (width - LEFT - PAD) / n
    bar = max(slot / 2 - 2, 1)
    plot = height - BOTTOM - PAD
    bars = []
    for i, label in enumerate(labels):
        for j, s in enumerate((first, second)):
            value = s.values[i] if i < len(s.values) else None
            if value is None:
                continue  # no data that week: no bar (a zero would read as "none")
            h = plot * value / top
            x = LEFT + i * slot + j * (bar + 1)
            bars.append(
                Bar(
                    s.css,
                    f"{x:.1f}",
                    f"{height - BOTTOM - h:.1f}",
                    f"{bar:.1f}",
                    f"{h:.1f}",
                    f"{label}: {s.name} {_fmt(value)}",
                )
            )
    ticks = _ticks(
        [LEFT + i * slot + slot / 2 for i in range(len(labels))], labels, X_TICKS, slot / 2
    )
    return Chart(
        "charts/bars.html",
        title,
        width,
        height,
        _fmt(top),
        bars=tuple(bars),
        legend=(first, second),
        x_ticks=ticks,
        y_label=y_label,
        x_label=x_label,
        middle=_fmt(top / 2),
    )


def sparkline(
    raw: Sequence[float | None], *, width: int = 80, height: int = 20
) -> Sparkline | None:
    values = _known(raw)  # the known weeks only
    if not any(values):  # no data, or no debt in any week: a flat line says nothing
        return None
    top = max(values) or 1
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (height - 4) * v / top:.1f}" for i, v in enumerate(values)
    )
    trend = "up" if values[-1] > values[0] else "down" if values[-1] < values[0] else "flat"
    return Sparkline(points, trend, width, height)


def _axis_top(values: Sequence[float]) -> float:
    """The y axis' maximum: the largest value, rounded up to an even number when every
    value is a whole count, so that the half-way tick is a whole number too (3 findings
    put "1.5" half-way up; a count axis reads 0, 2, 4)."""
    top = max([*values, 0])
    if all(float(v).is_integer() for v in values) and top % 2:
        return top + 1
    return top


def _fmt(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
