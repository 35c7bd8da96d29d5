"""Chart axes people can read: a count axis never shows half a finding."""

from __future__ import annotations

from dashboard.charts import Series, bar_pairs, line_chart


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


def test_hour_axes_keep_their_decimals() -> None:
    chart = line_chart(["a", "b"], [Series("Debt", [0.0, 2.5], "s-debt")], unit=" h")
    assert chart.top == "2.5 h" and "." in chart.middle
