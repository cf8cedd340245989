"""The data portal of the macro-economic database (宏观经济数据库): a page per public indicator.

Each page shows the indicator's chart (``statlib.charts`` SVG, text as paths), a table of recent
periods for the city and its counties, its definition (指标解释), unit and source, and CSV/XLSX
downloads. The portal is a public edition: every figure comes from the public data layer
(``Store`` with edition ``public``: confidential and rule-unsafe cells arrive as NaN flagged
``S``), and the tables it prints (counties with the city total, parts with their whole, every
period) get the same secondary suppression as the yearbook (``statlib.disclosure.linked``,
audited by LP), so no suppressed cell comes back by subtraction. An indicator with no public
value at all is left out. The search index is a static JSON (and the
same data as a script, so that the search works from ``file://`` too).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from statlib import fsio, periods
from statlib.disclosure import linked
from statlib.fsio import slug
from statlib.site.pages import esc, page
from statlib.store.store import Indicator, Region, Store
from statlib.tables import FLAG_SUFFIX, SUPPRESSED, Table, tidy_csv

if TYPE_CHECKING:
    from statlib.charts import Chart

__all__ = ["RECENT", "build_portal", "public_indicators", "public_store", "suppressed_cells"]

RECENT = 6  # periods in the page's table
CHART_PERIODS = {"M": 12, "Q": 8, "A": 10}  # by frequency: labels legible on a phone


SYMBOL = "…"  # how a suppressed cell prints
_HIDDEN = "CS"  # confidential; suppressed by the public data layer or by secondary suppression


def public_store(store: Store) -> Store:
    """``store`` as the public data layer serves it (the same connection)."""
    if store.edition == "public":
        return store
    return Store(store.backend, edition="public")


def suppressed_cells(store: Store, city: Region, codes: Sequence[str]) -> set[linked.CellKey]:
    """The cells of ``codes`` for the city and its counties that the portal suppresses:
    primary and secondary, every period (``statlib.disclosure.linked.hidden_cells``)."""
    return linked.hidden_cells(store, codes, city.code)


def public_indicators(
    store: Store, regions: Sequence[Region], confidential: Sequence[str] = ()
) -> list[tuple[Indicator, pd.DataFrame]]:
    """Indicators with at least one public value for ``regions``, with their observations
    from the public data layer; cells suppressed by secondary suppression (when ``regions``
    are a city and its counties) are flagged ``S`` with no value, like primary ones."""
    pub = public_store(store)
    codes = [r.code for r in regions]
    parent = regions[0] if regions else None
    out = []
    for code in sorted(pub.indicators()["code"]):
        ind = pub.indicator(code)
        if code in confidential:
            continue
        obs = pub.observations(code, codes)
        if obs.empty:
            continue
        obs = obs[obs["period"].map(lambda p: periods.parse(p).freq) == ind.frequency].copy()
        if parent is not None:
            hidden = suppressed_cells(store, parent, [code])
            mask = [
                linked.cell_key(code, r, p) in hidden
                for r, p in zip(obs["region"], obs["period"], strict=True)
            ]
            if any(mask):
                mask_ = pd.Series(mask, index=obs.index)
                obs.loc[mask_, "value"] = float("nan")
                obs.loc[mask_, "flags"] = [
                    f"{f or ''}S" if "S" not in str(f or "") else f for f in obs.loc[mask_, "flags"]
                ]
        shown = obs[~obs["flags"].fillna("").str.contains("C|S")]
        if shown["value"].notna().any():
            out.append((ind, obs))
    return out


def _hidden(flags: Any) -> bool:
    return isinstance(flags, str) and any(f in flags for f in _HIDDEN)


def _value(row: pd.Series | None) -> Any:
    if row is None:
        return None
    if _hidden(row["flags"]):
        return SUPPRESSED
    v = row["value"]
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _grid(obs: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    return {(r["region"], r["period"]): r for _, r in obs.iterrows()}


STUB = "时期"


def _sorted_periods(obs: pd.DataFrame) -> list[str]:
    return sorted(
        set(obs["period"]), key=lambda p: (periods.parse(p).year, periods.parse(p).last_month)
    )


def _label(ind: Indicator, period: str) -> str:
    return periods.label(period, cumulative=ind.kind.startswith("cumulative"), with_year=True)


def recent_table(ind: Indicator, obs: pd.DataFrame, regions: Sequence[Region]) -> Table:
    """Regions × the last ``RECENT`` periods, suppressed cells as symbols."""
    grid = _grid(obs)
    recent = _sorted_periods(obs)[-RECENT:]
    table = Table(ind.name, unit=ind.unit or None, stub="地区").columns(
        *[_label(ind, p) for p in recent]
    )
    for r in regions:
        values = [_value(grid.get((r.code, p))) for p in recent]
        table = table.row(r.name, values, unit=ind.unit or None, decimals=ind.decimals)
    return table.source(ind.source) if ind.source else table


def full_table(ind: Indicator, obs: pd.DataFrame, regions: Sequence[Region]) -> Table:
    """Every period × regions (the download)."""
    grid = _grid(obs)
    table = Table(ind.name, unit=ind.unit or None, stub=STUB).columns(*[r.name for r in regions])
    for p in _sorted_periods(obs):
        table = table.row(
            _label(ind, p),
            [_value(grid.get((r.code, p))) for r in regions],
            unit=ind.unit or None,
            decimals=ind.decimals,
        )
    return table.source(ind.source) if ind.source else table


def chart(ind: Indicator, obs: pd.DataFrame, city: Region) -> Chart | None:
    """The city's last ``CHART_PERIODS`` periods as a line chart (phone size); None without
    numbers. Cumulative series are drawn one line per year (1—2月 never joins the year
    before's 全年) and the period labels are thinned until none overlaps
    (``statlib.charts.growth_trend``)."""
    from statlib import charts

    mine = obs[obs["region"] == city.code]
    mine = mine[~mine["flags"].map(_hidden)]
    series = mine.set_index("period")["value"].astype(float)
    series = series.reindex(_sorted_periods(mine))[-CHART_PERIODS.get(ind.frequency, 12) :]
    cumulative = ind.kind.startswith("cumulative")
    if cumulative and len(series) > 1:
        # a year that only ends the window (2022's 全年 before 2023's 1—2月 …) would be a lone
        # point, unlabelled once the labels are thinned: the window starts with the next year
        years = [periods.parse(p).year for p in series.index]
        if years.count(years[0]) == 1:
            series = series[1:]
    if series.empty or series.isna().all():
        return None
    frame = pd.DataFrame({city.name: series})
    return charts.growth_trend(
        frame,
        title=f"{city.name}{ind.name}",
        source=ind.source or "云川市统计局",
        unit=ind.unit or "",
        ylabel="增速" if ind.is_growth else "数值",
        decimals=ind.decimals,
        size="phone",
        cumulative=cumulative,
    )


def chart_svg(ind: Indicator, obs: pd.DataFrame, city: Region) -> str | None:
    """:func:`chart` as SVG text; None without numbers."""
    from statlib import charts

    made = chart(ind, obs, city)
    if made is None:
        return None
    try:
        return charts.to_svg(made)
    finally:
        import matplotlib.pyplot as plt

        plt.close(made)


def _write(path: Path, data: str | bytes) -> None:
    """A portal file, written inside the site being assembled (``statlib.fsio``)."""
    root = next((p for p in path.parents if p.name.endswith(".part")), path.parent)
    fsio.write_bytes(root, path, data if isinstance(data, bytes) else data.encode("utf-8"))


def build_portal(
    folder: Path, store: Store, city: str = "990200", confidential: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Write ``folder`` (the site's ``data/``): pages, charts, downloads, the search index,
    every figure from the public data layer with secondary suppression."""
    c = store.region(city)
    regions = [c, *store.children(c)]
    entries: list[dict[str, Any]] = []
    for ind, obs in public_indicators(store, regions, confidential):
        name = slug(ind.code)
        svg = chart_svg(ind, obs, c)
        if svg is not None:
            _write(folder / f"{name}.svg", svg)
        full = full_table(ind, obs, regions)
        csv_text = tidy_csv(full, row_periods=_sorted_periods(obs))
        _write(folder / f"{name}.csv", "\ufeff" + csv_text)
        full.to_xlsx(folder / f"{name}.xlsx")
        _write(
            folder / f"{name}.html",
            _indicator_page(ind, recent_table(ind, obs, regions), name, svg is not None),
        )
        aliases = [a for a in ind.aliases.split("|") if a]
        entries.append(
            {
                "c": ind.code,
                "n": ind.name,
                "a": aliases,
                "u": ind.unit,
                "t": ind.topic,
                "h": f"{name}.html",
            }
        )
    _write(
        folder / "search.json",
        json.dumps(entries, ensure_ascii=False, indent=0, sort_keys=True) + "\n",
    )
    payload = json.dumps(entries, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    _write(folder / "search-index.js", f"window.STATLIB_SEARCH = {payload};\n")
    _write(folder / "index.html", _portal_index(entries, c))
    return entries


def _indicator_page(ind: Indicator, table: Table, name: str, has_chart: bool) -> str:
    facts = [
        ("指标代码", ind.code),
        ("计量单位", ind.unit or "—"),
        ("数据来源", ind.source or "—"),
        ("统计范围", ind.scope or "—"),
        ("别名", "、".join(a for a in ind.aliases.split("|") if a) or "—"),
    ]
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts)
    chart = (
        f'<img class="chart" src="{name}.svg" alt="{esc(ind.name)}走势图" width="378" height="318">'
        if has_chart
        else ""
    )
    body = (
        f"<h1>{esc(ind.name)}</h1>{chart}"
        f'<h2>近期数据</h2><div class="scroll">{table.to_html()}</div>'
        '<p class="hint">“…”表示数据不公开（涉及单个调查对象）或小于最小计量单位。</p>'
        f"<h2>指标解释</h2><p>{esc(ind.definition or '—')}</p>"
        f'<dl class="def">{dl}</dl>'
        f'<h2>下载</h2><ul class="list"><li><a href="{name}.csv">CSV（全部时期）</a></li>'
        f'<li><a href="{name}.xlsx">Excel XLSX（全部时期）</a></li></ul>'
        '<p><a href="index.html">返回数据库</a></p>'
    )
    return page(f"{ind.name} — 宏观经济数据库", body, root="../")


def _portal_index(entries: list[dict[str, Any]], city: Region) -> str:
    topics: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        topics.setdefault(e["t"] or "其他", []).append(e)
    lists = "".join(
        f'<h3>{esc(t)}</h3><ul class="list">'
        + "".join(f'<li><a href="{esc(e["h"])}">{esc(e["n"])}</a></li>' for e in items)
        + "</ul>"
        for t, items in sorted(topics.items())
    )
    body = (
        f'<h1>宏观经济数据库</h1><p class="meta">{esc(city.name)}及所辖旗县区的主要经济指标。'
        "输入指标名称、代码或别名检索（离线进行，不联网）。</p>"
        '<label for="q">检索指标</label>'
        '<input id="q" class="search" type="search" autocomplete="off" '
        'placeholder="例如：生产总值、GDP、cpi">'
        '<p id="count" class="hint"></p><ul id="results" class="list"></ul>'
        f"<h2>全部指标</h2>{lists}"
    )
    scripts = ["search-index.js", "../assets/search.js"]
    return page("宏观经济数据库", body, root="../", scripts=scripts)


def leak_secrets(store: Store, city: str = "990200") -> dict[str, list[Any]]:
    """What the portal's files must not hold, by file stem (an indicator's code as slugged):
    the true value of every cell the portal suppresses (primary or secondary) and of every
    confidential one, at the indicator's decimals, when it has ``SURE_DIGITS`` digits or more;
    key ``""``: the texts (enterprise names) that no file may hold. Numbers are looked for in
    their own indicator's files only, and short ones not at all: on the demo, every
    confidential value looked for in every file gave 151 chance hits (a county's fai equal to
    another's confidential ind_va), and the 2-decimal ind_va cells in ind_va's own files 49.
    Those cells are checked by position instead (``check_cells``)."""
    from statlib.leaks import Secret, secrets_from_store
    from statlib.leaks.confidential import SURE_DIGITS, is_number

    c = store.region(city)
    regions = [c.code, *(r.code for r in store.children(c))]
    out: dict[str, list[Any]] = {
        "": [s for s in secrets_from_store(store) if not is_number(s.value)]
    }
    for code in sorted(store.indicators()["code"]):
        ind = store.indicator(code)
        hidden = linked.hidden_cells(store, [code], c.code)
        raw = linked._read(store, [code], regions)
        secrets = []
        for region, period, value, flags in zip(
            raw["region"], raw["period"], raw["value"], raw["flags"], strict=True
        ):
            key = linked.cell_key(code, region, period)
            flagged = isinstance(flags, str) and "C" in flags
            if (key in hidden or flagged) and value == value and value is not None:
                text = f"{float(value):.{int(ind.decimals)}f}"
                if len(text.replace(".", "").lstrip("-0")) < SURE_DIGITS:
                    continue
                secrets.append(
                    Secret(
                        text,
                        f"不公开 {code}/{region}/{period}",
                        f"portal:{code}/{region}/{period}",
                        exact=True,
                    )
                )
        if secrets:
            out[slug(code)] = secrets
    return out


def scan_portal(folder: Path, store: Store, city: str = "990200") -> list[Any]:
    """The leak scan of the portal's files (``folder``): every hit (``statlib.leaks.Hit``);
    the suppressed cells are also checked by position (``check_cells``)."""
    from statlib.leaks import scan

    secrets = leak_secrets(store, city)
    hits = list(scan([folder], secrets[""]))
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        if path.stem in secrets and path.stem:
            hits += scan([path], secrets[path.stem])
    return hits


def check_cells(folder: Path, store: Store, city: str = "990200") -> list[str]:
    """Every cell the portal suppresses, read back from its CSV and XLSX by position (region
    column, period row): the problems found (a number where ``…`` must be), none when clean."""
    from openpyxl import load_workbook

    c = store.region(city)
    regions = [c, *store.children(c)]
    names = {r.code: r.name for r in regions}
    problems = []
    for entry in json.loads((folder / "search.json").read_text(encoding="utf-8")):
        ind = store.indicator(entry["c"])
        hidden = linked.hidden_cells(store, [ind.code], c.code)
        raw = linked._read(store, [ind.code], list(names))
        flagged = {
            linked.cell_key(ind.code, r, p)
            for r, p, f in zip(raw["region"], raw["period"], raw["flags"], strict=True)
            if isinstance(f, str) and "C" in f
        }
        cells = {(names[k[1][1][1]], _label(ind, k[1][0][1])) for k in hidden | flagged}
        if not cells:
            continue
        stem = slug(ind.code)
        import csv
        import io

        rows = list(csv.reader(io.StringIO((folder / f"{stem}.csv").read_text("utf-8-sig"))))
        sheet = load_workbook(folder / f"{stem}.xlsx", read_only=True).worksheets[-1]
        grids = {
            "csv": rows,
            "xlsx": [
                ["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)
            ],
        }
        for kind, grid in grids.items():
            header = next((r for r in grid if names[c.code] in r), None)
            if header is None:
                problems.append(f"{stem}.{kind}: no header row with the regions")
                continue
            col = {name: header.index(name) for name in names.values() if name in header}
            key = header.index(STUB) if STUB in header else 0
            at = {r[key]: r for r in grid if len(r) > key}
            for region, label in sorted(cells):
                row = at.get(label)
                if row is None or region not in col:
                    continue  # the period or region is not printed
                flag = region + FLAG_SUFFIX
                shown = (row[col[region]], row[header.index(flag)] if flag in header else "")
                if shown != ("", SYMBOL):  # the value cell empty, the symbol in its flag column
                    problems.append(f"{stem}.{kind}: {region} {label} is {shown!r}")
    return problems
