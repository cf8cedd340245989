"""The chart types of the bulletins. Each takes plain pandas data and labels, never the store."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from statlib import measures, phrase
from statlib._charts.style import (
    HIGHLIGHT,
    MUTED,
    NEGATIVE,
    OKABE_ITO,
    POSITIVE,
    SERIES,
    SIZES,
    Chart,
    HalfUpFormatter,
    axis_label,
    fit_period_ticks,
    house,
    new_chart,
    period_labels,
    year_runs,
)
from statlib.errors import ConfigError
from statlib.measures import fmt

INDUSTRIES = ("第一产业", "第二产业", "第三产业")
_INDUSTRY_COLOURS = (OKABE_ITO["bluish_green"], OKABE_ITO["blue"], OKABE_ITO["orange"])
_DASHES = ("--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)))


def _numeric(data: pd.Series | pd.DataFrame, func: str, name: str) -> None:
    if len(data) == 0:
        raise ConfigError(f"{func}: {name} is empty; pass at least one value")
    values = data.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(values).all():
        raise ConfigError(f"{func}: {name} has no numbers (all missing)")


def _label_points(ax: Axes, x: Any, values: np.ndarray, decimals: int, *, lift: int) -> None:
    """Each finite point of the highlighted line labelled with its value, just above it."""
    for xi, v in zip(x, values, strict=True):
        if math.isfinite(v):
            ax.annotate(
                fmt(v, decimals),
                (xi, v),
                xytext=(0, lift),
                textcoords="offset points",
                ha="center",
                va="bottom",
                color=HIGHLIGHT,
                fontsize="small",
            )


def _zero_line(ax: Axes, values: np.ndarray, *, horizontal: bool = True) -> None:
    finite = values[np.isfinite(values)]
    if finite.size and finite.min() < 0:
        (ax.axhline if horizontal else ax.axvline)(0, color="#666666", linewidth=0.7, zorder=1)


def _legend_on_top(ax: Axes, handles: list, labels: list[str]) -> None:
    """One row of legend entries between the title and the plot."""
    ax.legend(
        handles,
        labels,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=min(len(labels), 4),
        handlelength=1.8,
        columnspacing=1.2,
        borderaxespad=0.3,
    )


def growth_trend(
    frame: pd.DataFrame,
    *,
    title: str,
    source: str,
    unit: str = "%",
    highlight: str | None = None,
    ylabel: str = "增速",
    decimals: int = 1,
    size: str = "full",
    cumulative: bool = True,
) -> Chart:
    """Cumulative growth lines (city, region, nation …) over periods, the own city highlighted.

    ``frame``: index of periods (``2023-02`` … → ``1—2月`` …), one column per area. The
    ``highlight`` column (default: the first) is drawn thick in the highlight colour.
    """
    _numeric(frame, "growth_trend", "frame")
    highlight = highlight if highlight is not None else str(frame.columns[0])
    if highlight not in frame.columns:
        raise ConfigError(
            f"growth_trend: highlight {highlight!r} is not a column of frame "
            f"({', '.join(map(str, frame.columns))})"
        )
    order = [highlight] + [c for c in frame.columns if c != highlight]
    x = np.arange(len(frame))
    with house(size):
        chart = new_chart(size, title=title, source=source)
        ax = chart.add_subplot()
        handles = []
        for i, column in enumerate(order):
            values = frame[column].to_numpy(dtype=float, na_value=np.nan)
            own = column == highlight
            style: dict[str, Any] = {
                "color": HIGHLIGHT if own else SERIES[(i - 1) % len(SERIES)],
                "linewidth": 2.2 if own else 1.3,
                "linestyle": "-" if own else _DASHES[(i - 1) % len(_DASHES)],
                "marker": "o" if own else None,
                "markersize": 3.5,
                "zorder": 3 if own else 2,
            }
            # a cumulative series restarts each January: one line per year, never joined
            runs = year_runs(frame.index) if cumulative else [slice(0, len(x))]
            lines = [ax.plot(x[run], values[run], **style)[0] for run in runs]
            handles.append(lines[0])
            if own and len(x) <= 12:
                _label_points(ax, x, values, decimals, lift=4)
        _zero_line(ax, frame.to_numpy(dtype=float, na_value=np.nan))
        ax.set_xlim(-0.4, len(x) - 0.6)
        ax.margins(y=0.15)
        ax.yaxis.set_major_formatter(HalfUpFormatter())
        ax.set_ylabel(axis_label(ylabel, unit))
        _legend_on_top(ax, handles, [str(c) for c in order])
        fit_period_ticks(ax, list(frame.index), cumulative=cumulative)
    return chart


def level_growth(
    levels: pd.Series,
    growth: pd.Series,
    *,
    title: str,
    source: str,
    level_unit: str = "亿元",
    growth_unit: str = "%",
    level_name: str = "绝对量",
    growth_name: str = "同比增长",
    level_decimals: int = 1,
    growth_decimals: int = 1,
    size: str = "full",
    cumulative: bool = True,
) -> Chart:
    """Level bars (left axis) with the growth rate as a line (right axis), by period or area."""
    _numeric(levels, "level_growth", "levels")
    _numeric(growth, "level_growth", "growth")
    if not levels.index.equals(growth.index):
        raise ConfigError("level_growth: levels and growth must have the same index, in order")
    x = np.arange(len(levels))
    bars_v = levels.to_numpy(dtype=float, na_value=np.nan)
    line_v = growth.to_numpy(dtype=float, na_value=np.nan)
    with house(size):
        chart = new_chart(size, title=title, source=source)
        ax = chart.add_subplot()
        bars = ax.bar(x, bars_v, width=0.6, color=OKABE_ITO["sky_blue"], zorder=2)
        ax.bar_label(
            bars,
            labels=[fmt(v, level_decimals) for v in bars_v],
            padding=2,
            fontsize="small",
            color="#333333",
        )
        ax.set_xticks(x, period_labels(levels.index, cumulative=cumulative))
        ax.margins(y=0.12)
        ax.yaxis.set_major_formatter(HalfUpFormatter())
        ax.set_ylabel(axis_label(level_name, level_unit))
        ax2 = ax.twinx()
        ax2.grid(False)
        ax2.spines["right"].set_visible(True)
        runs = year_runs(levels.index) if cumulative else [slice(0, len(x))]
        style: dict[str, Any] = {"color": HIGHLIGHT, "linewidth": 2, "marker": "o", "zorder": 3}
        style["markersize"] = 3.5
        lines = [ax2.plot(x[run], line_v[run], **style)[0] for run in runs]
        line = lines[0]
        _label_points(ax2, x, line_v, growth_decimals, lift=5)
        # Bars fill the lower ~55% of the plot, the line the band above them: no labels collide.
        top = np.nanmax(bars_v)
        if top > 0:
            ax.set_ylim(min(np.nanmin(bars_v), 0) * 1.2, top * 1.8)
        low, high = np.nanmin(line_v), np.nanmax(line_v)
        scale = max(high - low, 0.5) / 0.22
        ax2.set_ylim(low - 0.66 * scale, low + 0.34 * scale)
        step = np.diff(ax2.get_yticks()[:2])[0]
        ax2.set_yticks([t for t in ax2.get_yticks() if low - step <= t <= low + 0.34 * scale])
        ax2.yaxis.set_major_formatter(HalfUpFormatter())
        ax2.set_ylabel(axis_label(growth_name, growth_unit))
        _legend_on_top(
            ax,
            [bars, line],
            [axis_label(level_name, level_unit), axis_label(growth_name, growth_unit)],
        )
        fit_period_ticks(ax, list(levels.index), cumulative=cumulative)
    return chart


def peer_ranking(
    values: pd.Series,
    *,
    highlight: str,
    title: str,
    source: str,
    unit: str = "%",
    xlabel: str = "同比增长",
    group: str = "全区",
    descending: bool = True,
    decimals: int = 1,
    size: str = "full",
) -> Chart:
    """Peers as sorted horizontal bars (first on top), the own city highlighted with its rank.

    ``values``: one number per region name. The rank (ties share it, ``measures.rank``) is written
    next to the highlighted bar as ``居全区第4位`` (``phrase.rank``).
    """
    _numeric(values, "peer_ranking", "values")
    if highlight not in values.index:
        raise ConfigError(f"peer_ranking: highlight {highlight!r} is not in the index of values")
    data = values.dropna().astype(float).sort_values(ascending=not descending, kind="stable")
    ranks = measures.rank(data, descending=descending)
    y = np.arange(len(data))[::-1]
    colours = [HIGHLIGHT if name == highlight else MUTED for name in data.index]
    _, height = _figure_height(size, len(data))
    with house(size):
        chart = new_chart(size, title=title, source=source)
        chart.set_figheight(height)
        ax = chart.add_subplot()
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        bars = ax.barh(y, data.to_numpy(), height=0.65, color=colours, zorder=2)
        labels = [fmt(float(v), decimals) for v in data.to_numpy()]
        ax.bar_label(bars, labels=labels, padding=2, fontsize="small")
        ax.set_yticks(y, [str(n) for n in data.index])
        for tick, name in zip(ax.get_yticklabels(), data.index, strict=True):
            if name == highlight:
                tick.set_color(HIGHLIGHT)
                tick.set_fontweight("bold")
        _zero_line(ax, data.to_numpy(), horizontal=False)
        ax.margins(x=0.22)
        ax.xaxis.set_major_formatter(HalfUpFormatter())
        ax.set_xlabel(axis_label(xlabel, unit))
        if highlight in data.index:
            position = int(ranks[highlight])
            i = list(data.index).index(highlight)
            value = float(data[highlight])
            ax.annotate(
                phrase.rank(position, group),
                (value, y[i]),
                xytext=(28, 0),
                textcoords="offset points",
                ha="left" if value >= 0 else "right",
                va="center",
                color=HIGHLIGHT,
                fontweight="bold",
                fontsize="small",
            )
    return chart


def _figure_height(size: str, n: int) -> tuple[float, float]:
    width, height = SIZES[size]
    return width, max(height, 0.9 + 0.22 * n)


def structure(
    shares: pd.DataFrame,
    *,
    title: str,
    source: str,
    decimals: int = 1,
    size: str = "full",
    ylabel: str = "比重",
) -> Chart:
    """三次产业结构: stacked 100% bars by year, each segment labelled with its share.

    ``shares``: index of years (or periods), columns ``第一产业``, ``第二产业``, ``第三产业`` (other
    columns are allowed and stacked in order); levels or shares — each row is scaled to 100.
    """
    _numeric(shares, "structure", "shares")
    data = shares.astype(float)
    totals = data.sum(axis=1)
    if (totals <= 0).any():
        raise ConfigError("structure: each row of shares needs a positive total")
    pct = data.div(totals, axis=0) * 100
    x = np.arange(len(data))
    colours = [
        _INDUSTRY_COLOURS[INDUSTRIES.index(c)] if c in INDUSTRIES else SERIES[i % len(SERIES)]
        for i, c in enumerate(data.columns)
    ]
    with house(size):
        chart = new_chart(size, title=title, source=source)
        ax = chart.add_subplot()
        bottom = np.zeros(len(data))
        handles = []
        for column, colour in zip(data.columns, colours, strict=True):
            heights = pct[column].to_numpy()
            bars = ax.bar(
                x,
                heights,
                bottom=bottom,
                width=0.6,
                color=colour,
                zorder=2,
                edgecolor="white",
                linewidth=0.6,
            )
            text_colour = "white" if colour != OKABE_ITO["orange"] else "black"
            ax.bar_label(
                bars,
                labels=[fmt(v, decimals) if v >= 4 else "" for v in heights],
                label_type="center",
                color=text_colour,
                fontsize="small",
            )
            handles.append(Patch(color=colour))
            bottom += heights
        ax.set_xticks(x, period_labels(data.index))
        ax.set_ylim(0, 100)
        ax.yaxis.set_major_formatter(HalfUpFormatter())
        ax.set_ylabel(axis_label(ylabel, "%"))
        _legend_on_top(ax, handles, [str(c) for c in data.columns])
    return chart


def contribution(
    parts: pd.Series,
    total_name: str,
    *,
    title: str,
    source: str,
    kind: str = "rate",
    decimals: int = 1,
    size: str = "full",
) -> Chart:
    """Contribution of parts to a total's growth: 贡献率 (``kind="rate"``, %) or 拉动 (``"pull"``).

    Bars in the order given, positive and negative values in two colours, each labelled.
    """
    _numeric(parts, "contribution", "parts")
    if kind == "rate":
        label = axis_label(f"对{total_name}增长的贡献率", "%")
    elif kind == "pull":
        label = axis_label(f"拉动{total_name}增长", "个百分点")
    else:
        raise ConfigError(
            f"contribution: kind must be 'rate' (贡献率) or 'pull' (拉动), not {kind!r}"
        )
    values = parts.to_numpy(dtype=float, na_value=np.nan)
    x = np.arange(len(parts))
    colours = [NEGATIVE if v < 0 else POSITIVE for v in values]
    with house(size):
        chart = new_chart(size, title=title, source=source)
        ax = chart.add_subplot()
        bars = ax.bar(x, values, width=0.6, color=colours, zorder=2)
        ax.bar_label(bars, labels=[fmt(v, decimals) for v in values], padding=2, fontsize="small")
        ax.set_xticks(x, [str(n) for n in parts.index])
        _zero_line(ax, values)
        ax.margins(y=0.15)
        ax.yaxis.set_major_formatter(HalfUpFormatter())
        ax.set_ylabel(label)
    return chart
