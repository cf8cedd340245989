"""The data portal's charts, measured: for every public indicator of the demo city, no two period
labels' boxes overlap once drawn, and a cumulative series (1—2月 … 全年) is never joined across
years (each drawn line holds the periods of one year)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pytest

from statlib import periods
from statlib.site import portal
from statlib.store import open_store
from statlib.store.store import Store

CITY = "990200"


@pytest.fixture(scope="module")
def store(demo_db: Path) -> Iterator[Store]:
    with open_store(str(demo_db)) as s:
        yield s


@pytest.fixture(scope="module")
def charts(store: Store) -> Iterator[list[tuple[Any, list[str], Any]]]:
    """(indicator, the periods on the x axis, chart) for every charted public indicator."""
    city = store.region(CITY)
    made = []
    for ind, obs in portal.public_indicators(store, [city, *store.children(city)]):
        chart = portal.chart(ind, obs, city)
        if chart is None:
            continue
        mine = obs[(obs["region"] == CITY) & ~obs["flags"].map(portal._hidden)]
        shown = portal._sorted_periods(mine)[-portal.CHART_PERIODS.get(ind.frequency, 12) :]
        years = [periods.parse(p).year for p in shown]
        if ind.kind.startswith("cumulative") and years.count(years[0]) == 1:
            shown = shown[1:]  # the portal leaves out a lone point of the year before
        made.append((ind, shown, chart))
    yield made
    for _ind, _shown, chart in made:
        plt.close(chart)


def _labels(chart: Any) -> list[tuple[str, Any]]:
    chart.draw_without_rendering()
    ax = chart.axes[0]
    return [(t.get_text(), t.get_window_extent()) for t in ax.get_xticklabels() if t.get_text()]


def test_there_are_charts_to_measure(charts: list[tuple[Any, list[str], Any]]) -> None:
    assert len(charts) >= 10
    spanning = [
        ind.code
        for ind, shown, _c in charts
        if ind.kind.startswith("cumulative") and len({periods.parse(p).year for p in shown}) > 1
    ]
    assert len(spanning) >= 3, "no cumulative chart spans two years: the test would prove nothing"


def test_period_labels_never_overlap(charts: list[tuple[Any, list[str], Any]]) -> None:
    bad = []
    for ind, _shown, chart in charts:
        boxes = sorted(_labels(chart), key=lambda lb: lb[1].x0)
        assert boxes, ind.code
        for (ta, a), (tb, b) in itertools.pairwise(boxes):
            if a.x1 + 1 > b.x0:
                bad.append(f"{ind.code}: {ta} ({a.x0:.0f}–{a.x1:.0f}) / {tb} ({b.x0:.0f}–)")
    assert bad == [], f"{len(bad)} overlapping labels: {bad[:6]}"


def test_the_latest_period_is_labelled(charts: list[tuple[Any, list[str], Any]]) -> None:
    for ind, shown, chart in charts:
        last = periods.label(shown[-1], cumulative=ind.kind.startswith("cumulative"))
        assert _labels(chart)[-1][0].endswith(last), ind.code


def test_cumulative_series_break_at_each_year(charts: list[tuple[Any, list[str], Any]]) -> None:
    bad = []
    for ind, shown, chart in charts:
        if not ind.kind.startswith("cumulative"):
            continue
        years = [periods.parse(p).year for p in shown]
        ax = chart.axes[0]
        drawn = 0
        for line in ax.get_lines():
            if line.get_transform() is not ax.transData:
                continue  # the zero line (axes coordinates), not a series
            xs = [round(float(x)) for x in line.get_xdata()]
            drawn += len(xs)
            spans = sorted({years[x] for x in xs})
            if len(spans) > 1:
                bad.append(f"{ind.code}: one line joins {spans}")
        assert drawn == len(shown), f"{ind.code}: {drawn} points drawn of {len(shown)}"
    assert bad == [], bad
