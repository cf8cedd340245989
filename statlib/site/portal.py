"""The data portal of the macro-economic database (宏观经济数据库): a page per public indicator.

Each page shows the indicator's chart (``statlib.charts`` SVG, text as paths), a table of recent
periods for the city and its counties, its definition (指标解释), unit and source, and CSV/XLSX
downloads. Confidential cells (flag ``C``) arrive as the suppressed symbol, never as numbers; an
indicator with no public value at all is left out. The search index is a static JSON (and the
same data as a script, so that the search works from ``file://`` too).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from statlib import periods
from statlib.batch.safety import slug
from statlib.site.pages import esc, page
from statlib.store.store import Indicator, Region, Store
from statlib.tables import SUPPRESSED, Table

__all__ = ["RECENT", "build_portal", "public_indicators"]

RECENT = 6  # periods in the page's table
CHART_PERIODS = {"M": 12, "Q": 8, "A": 10}  # by frequency: labels legible on a phone


def public_indicators(store: Store, regions: Sequence[Region],
                      confidential: Sequence[str] = ()) -> list[tuple[Indicator, pd.DataFrame]]:
    """Indicators with at least one public value for ``regions``, with their observations."""
    codes = [r.code for r in regions]
    out = []
    for code in sorted(store.indicators()["code"]):
        ind = store.indicator(code)
        if code in confidential:
            continue
        obs = store.observations(code, codes)
        if obs.empty:
            continue
        obs = obs[obs["period"].map(lambda p: periods.parse(p).freq) == ind.frequency]
        public = obs[~obs["flags"].fillna("").str.contains("C")]
        if public["value"].notna().any():
            out.append((ind, obs))
    return out


def _value(row: pd.Series | None) -> Any:
    if row is None:
        return None
    if "C" in str(row["flags"] or ""):
        return SUPPRESSED
    v = row["value"]
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _grid(obs: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    return {(r["region"], r["period"]): r for _, r in obs.iterrows()}


def _sorted_periods(obs: pd.DataFrame) -> list[str]:
    return sorted(set(obs["period"]), key=lambda p: (periods.parse(p).year,
                                                       periods.parse(p).last_month))


def _label(ind: Indicator, period: str) -> str:
    return periods.label(period, cumulative=ind.kind.startswith("cumulative"), with_year=True)


def recent_table(ind: Indicator, obs: pd.DataFrame, regions: Sequence[Region]) -> Table:
    """Regions × the last ``RECENT`` periods, suppressed cells as symbols."""
    grid = _grid(obs)
    recent = _sorted_periods(obs)[-RECENT:]
    table = Table(ind.name, unit=ind.unit or None, stub="地区").columns(
        *[_label(ind, p) for p in recent])
    for r in regions:
        values = [_value(grid.get((r.code, p))) for p in recent]
        table = table.row(r.name, values, unit=ind.unit or None, decimals=ind.decimals)
    return table.source(ind.source) if ind.source else table


def full_table(ind: Indicator, obs: pd.DataFrame, regions: Sequence[Region]) -> Table:
    """Every period × regions (the download)."""
    grid = _grid(obs)
    table = Table(ind.name, unit=ind.unit or None, stub="时期").columns(*[r.name for r in regions])
    for p in _sorted_periods(obs):
        table = table.row(_label(ind, p), [_value(grid.get((r.code, p))) for r in regions],
                          unit=ind.unit or None, decimals=ind.decimals)
    return table.source(ind.source) if ind.source else table


def chart_svg(ind: Indicator, obs: pd.DataFrame, city: Region) -> str | None:
    """The city's last ``CHART_PERIODS`` periods as an SVG line chart; None without numbers."""
    from statlib import charts

    mine = obs[obs["region"] == city.code]
    mine = mine[~mine["flags"].fillna("").str.contains("C")]
    series = mine.set_index("period")["value"].astype(float)
    series = series.reindex(_sorted_periods(mine))[-CHART_PERIODS.get(ind.frequency, 12):]
    if series.empty or series.isna().all():
        return None
    frame = pd.DataFrame({city.name: series})
    chart = charts.growth_trend(
        frame, title=f"{city.name}{ind.name}", source=ind.source or "云川市统计局",
        unit=ind.unit or "", ylabel="增速" if ind.is_growth else "数值",
        decimals=ind.decimals, size="phone", cumulative=ind.kind.startswith("cumulative"))
    try:
        return charts.to_svg(chart)
    finally:
        import matplotlib.pyplot as plt

        plt.close(chart)


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")


def build_portal(folder: Path, store: Store, city: str = "990200",
                 confidential: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Write ``folder`` (the site's ``data/``): pages, charts, downloads, the search index."""
    c = store.region(city)
    regions = [c, *store.children(c)]
    entries: list[dict[str, Any]] = []
    for ind, obs in public_indicators(store, regions, confidential):
        name = slug(ind.code)
        svg = chart_svg(ind, obs, c)
        if svg is not None:
            _write(folder / f"{name}.svg", svg)
        full = full_table(ind, obs, regions)
        _write(folder / f"{name}.csv", "\ufeff" + full.to_csv())
        full.to_xlsx(folder / f"{name}.xlsx")
        _write(folder / f"{name}.html", _indicator_page(ind, recent_table(ind, obs, regions),
                                                        name, svg is not None))
        aliases = [a for a in ind.aliases.split("|") if a]
        entries.append({"c": ind.code, "n": ind.name, "a": aliases, "u": ind.unit,
                        "t": ind.topic, "h": f"{name}.html"})
    _write(folder / "search.json", json.dumps(entries, ensure_ascii=False, indent=0,
                                              sort_keys=True) + "\n")
    payload = json.dumps(entries, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    _write(folder / "search-index.js", f"window.STATLIB_SEARCH = {payload};\n")
    _write(folder / "index.html", _portal_index(entries, c))
    return entries


def _indicator_page(ind: Indicator, table: Table, name: str, has_chart: bool) -> str:
    facts = [("指标代码", ind.code), ("计量单位", ind.unit or "—"), ("数据来源", ind.source or "—"),
             ("统计范围", ind.scope or "—"), ("别名", "、".join(a for a in ind.aliases.split("|")
                                                          if a) or "—")]
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts)
    chart = (f'<img class="chart" src="{name}.svg" alt="{esc(ind.name)}走势图" '
             'width="378" height="318">' if has_chart else "")
    body = (f"<h1>{esc(ind.name)}</h1>{chart}"
            f'<h2>近期数据</h2><div class="scroll">{table.to_html()}</div>'
            '<p class="hint">“…”表示数据不公开（涉及单个调查对象）或小于最小计量单位。</p>'
            f"<h2>指标解释</h2><p>{esc(ind.definition or '—')}</p>"
            f'<dl class="def">{dl}</dl>'
            f'<h2>下载</h2><ul class="list"><li><a href="{name}.csv">CSV（全部时期）</a></li>'
            f'<li><a href="{name}.xlsx">Excel XLSX（全部时期）</a></li></ul>'
            '<p><a href="index.html">返回数据库</a></p>')
    return page(f"{ind.name} — 宏观经济数据库", body, root="../")


def _portal_index(entries: list[dict[str, Any]], city: Region) -> str:
    topics: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        topics.setdefault(e["t"] or "其他", []).append(e)
    lists = "".join(
        f"<h3>{esc(t)}</h3><ul class=\"list\">"
        + "".join(f'<li><a href="{esc(e["h"])}">{esc(e["n"])}</a></li>' for e in items)
        + "</ul>" for t, items in sorted(topics.items()))
    body = (f"<h1>宏观经济数据库</h1><p class=\"meta\">{esc(city.name)}及所辖旗县区的主要经济指标。"
            "输入指标名称、代码或别名检索（离线进行，不联网）。</p>"
            '<label for="q">检索指标</label>'
            '<input id="q" class="search" type="search" autocomplete="off" '
            'placeholder="例如：生产总值、GDP、cpi">'
            '<p id="count" class="hint"></p><ul id="results" class="list"></ul>'
            f"<h2>全部指标</h2>{lists}")
    scripts = ["search-index.js", "../assets/search.js"]
    return page("宏观经济数据库", body, root="../", scripts=scripts)
