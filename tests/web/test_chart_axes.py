"""Chart axes people can read: a count axis never shows half a finding."""

from __future__ import annotations

from itertools import pairwise

from dashboard.charts import HALF_LABEL, Series, Tick, bar_pairs, line_chart, sparkline


def test_count_axes_tick_at_whole_numbers() -> None:
    labels = ["2026-01-05", "2026-01-12", "2026-01-19"]
    for top in (1, 3, 7):
        chart = line_chart(labels, [Series("Critical", [0, top, 1], "s-critical")])
        assert "." not in chart.middle and "." not in chart.top
        assert int(chart.middle) * 2 == int(chart.top) >= top
        bars = bar_pairs(
            labels, Series("New", [top, 0, 1], "s-new"), Series("Fixed", [0, 1, 0], "s-fixed")
        )
        assert "." not in bars.middle and int(bars.middle) * 2 == int(bars.top) >= top
    empty = bar_pairs(labels, Series("New", [0, 0, 0], "s-new"), Series("Fixed", [], "s-fixed"))
    assert (empty.middle, empty.top) == ("1", "2")
    flat = line_chart(labels, [Series("Important", [0, 0, None], "s-important")])
    assert (flat.middle, flat.top) == ("1", "2")


def test_hour_axes_keep_their_decimals() -> None:
    chart = line_chart(["a", "b"], [Series("Debt", [0.0, 2.5], "s-debt")], unit=" h")
    assert chart.top == "2.5 h" and "." in chart.middle


def test_week_labels_are_evenly_spaced_and_centred_under_their_bars() -> None:
    weeks = [f"2026-W{i:02d}" for i in range(1, 13)]
    bars = bar_pairs(weeks, Series("New", [1] * 12, "s-new"), Series("Fixed", [1] * 12, "s-fixed"))
    xs = [float(t.x) for t in bars.x_ticks]
    gaps = [b - a for a, b in pairwise(xs)]
    assert max(gaps) - min(gaps) < 0.5 and bars.x_ticks[-1].label == "2026-W12"
    assert {t.anchor for t in bars.x_ticks} == {"middle"}
    for n in (7, 12, 13, 52):
        line = line_chart([str(i) for i in range(n)], [Series("Open", [1] * n, "s-open")])
        steps = {int(b.label) - int(a.label) for a, b in pairwise(line.x_ticks)}
        assert len(steps) == 1 and len(line.x_ticks) <= 6 and line.x_ticks[-1].label == str(n - 1)


def test_a_debt_free_cell_draws_no_trend_line() -> None:
    assert sparkline([0, 0, None, 0]) is None and sparkline([None]) is None
    spark = sparkline([0, 2, 1])
    assert spark is not None and spark.trend == "up"


def _extent(tick: Tick) -> tuple[float, float]:
    x, half = float(tick.x), HALF_LABEL
    return {"start": (x, x + 2 * half), "end": (x - 2 * half, x)}.get(
        tick.anchor, (x - half, x + half)
    )


def test_neighbouring_week_labels_never_touch() -> None:
    for width, most in ((340, 3), (1000, 6)):
        for n in (5, 12, 13, 26, 52):
            labels = [f"2026-01-{i:02d}" for i in range(n)]
            charts = [
                line_chart(labels, [Series("Open", [1] * n, "s-open")], width=width, x_ticks=most),
                bar_pairs(
                    labels,
                    Series("New", [1] * n, "s-new"),
                    Series("Fixed", [1] * n, "s-f"),
                    width=width,
                ),
            ]
            for chart in charts:
                assert chart.x_ticks[-1].label == labels[-1]
                for a, b in pairwise(chart.x_ticks):
                    assert _extent(a)[1] < _extent(b)[0], (width, n, a, b)
