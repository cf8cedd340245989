"""Cross-table identities (表间审核): rules that compare figures of different tables.

- ``annual_order``: per region and year, the annual values of ``indicators`` do not decrease
  along the list (规模以上工业增加值 ≤ 第二产业增加值 ≤ 地区生产总值). The annual value of a
  cumulative level is its year-to-date value at the year's end (1—12月, 1—4季度); an annual
  indicator's is its year. Parts of a whole cannot exceed it, whatever table shows them.
- ``unit_sum``: per region and year, a published aggregate equals the sum of the unit records it
  is compiled from (规模以上工业增加值 of a county = Σ 增加值 of its above-scale industrial units;
  a city sums the units of every region below it), within the aggregate's rounding.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd

from statlib import periods
from statlib.checks._evaluate import Context, _Tally, fmt, register
from statlib.errors import ConfigError

if TYPE_CHECKING:
    from statlib.checks.rules import Rule


UNIT_COLUMNS = {"value_added": "增加值", "revenue": "营业收入", "employees": "从业人员"}


class Cell(NamedTuple):
    """One annual value as stored: the value, its vintage and the period it was read from."""

    value: float
    vintage: Any
    period: str


def annual_values(ctx: Context, indicator: str, regions: list[str]) -> dict[tuple[str, int], Cell]:
    """(region, year) -> the indicator's annual value (a December year-to-date or a year)."""
    row = ctx.catalogue.loc[indicator]
    kind, frequency = str(row["kind"]), str(row["frequency"])
    if frequency != "A" and kind != "cumulative_level":
        raise ConfigError(
            f"{indicator}: no annual value (kind {kind}, frequency {frequency}); cross-table "
            "rules compare cumulative levels at the year's end or annual indicators"
        )
    frame = ctx.observations([indicator], regions)
    out: dict[tuple[str, int], Cell] = {}
    for reg, per, value, vintage in zip(
        frame["region"], frame["period"], frame["value"], frame["vintage"], strict=True
    ):
        p = periods.parse(per)
        if p.span[1] % 12 == 11:  # ends in December: the year (to date)
            out[(reg, p.year)] = Cell(float(value), vintage, str(per))
    return out


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@register("annual_order")
def _annual_order(rule: Rule, ctx: Context, tally: _Tally) -> None:
    p = rule.params
    inds = ctx.indicators(p["indicators"])
    if len(inds) < 2:
        raise ConfigError("annual_order: indicators names at least two indicators, smallest first")
    regs = ctx.regions(p["regions"])
    values = {ind: annual_values(ctx, ind, regs) for ind in inds}
    keys = sorted({k for v in values.values() for k in v})
    for reg, year in keys:
        if not ctx.in_period(str(year)):
            continue
        found = [values[ind].get((reg, year)) for ind in inds]
        cells = [c for c in found if c is not None and not _missing(c.value)]
        if len(cells) < len(inds):
            tally.absent()
            continue
        broken = False
        for (small, a), (big, b) in zip(
            zip(inds, cells, strict=True), list(zip(inds, cells, strict=True))[1:], strict=False
        ):
            tol = ctx.tolerance(p.get("tolerance", 0), 1, small)
            if a.value > b.value + tol:
                broken = True
                small_name = str(ctx.catalogue.at[small, "name"])
                big_name = str(ctx.catalogue.at[big, "name"])
                d = ctx.decimals(small)
                tally.fail(
                    small,
                    reg,
                    str(year),
                    {small: a.value, big: b.value},
                    f"≤ {fmt(b.value)}",
                    f"部分大于整体：{year}年{small_name}（{a.period}）{a.value:.{d}f}大于"
                    f"{big_name}（{b.period}）{b.value:.{d}f}",
                    difference=a.value - b.value,
                    vintage=a.vintage,
                )
        if not broken:
            tally.ok()


def _unit_filter(frame: pd.DataFrame, where: Mapping[str, Any]) -> pd.DataFrame:
    for column, wanted in where.items():
        if column not in frame.columns:
            raise ConfigError(
                f"units: no column {column!r}; the unit records have {', '.join(frame.columns)}"
            )
        keep = (
            frame[column].isin(list(wanted))
            if isinstance(wanted, list)
            else frame[column] == wanted
        )
        frame = frame[keep]
    return frame


@register("unit_sum")
def _unit_sum(rule: Rule, ctx: Context, tally: _Tally) -> None:
    p = rule.params
    ind = ctx.store.indicator(str(p["indicator"])).code
    column, factor = str(p["value"]), float(p.get("factor", 1))
    regs = ctx.regions(p["regions"])
    units = _unit_filter(ctx.store.units(), p.get("units") or {})
    if column not in units.columns:
        raise ConfigError(f"value: no unit column {column!r}; one of {', '.join(units.columns)}")
    table = ctx.region_table
    published = annual_values(ctx, ind, regs)
    below = {reg: _under(table, reg) for reg in regs}
    years = sorted({int(y) for y in units["year"]})
    sums = units.groupby(["region", "year"])[column].sum()
    tol = ctx.tolerance(p.get("tolerance", "rounding"), 1, ind)
    name, decimals = str(ctx.catalogue.at[ind, "name"]), ctx.decimals(ind)
    counts = units.groupby(["region", "year"])[column].size()
    label = UNIT_COLUMNS.get(column, column)
    for reg in regs:
        for year in years:
            if not ctx.in_period(str(year)):
                continue
            cell = published.get((reg, year))
            if cell is None or _missing(cell.value):
                tally.absent()
                continue
            total = sum(float(sums.get((r, year), 0.0)) for r in below[reg]) * factor
            n = sum(int(counts.get((r, year), 0)) for r in below[reg])
            if abs(cell.value - total) > tol:
                tally.fail(
                    ind,
                    reg,
                    str(year),
                    {ind: cell.value, f"Σ{column}": round(total, 6)},
                    round(total, 6),
                    f"汇总不符：{year}年{name}（{cell.period}）{cell.value:.{decimals}f}，"
                    f"{n}个单位的{label}合计{total:.{decimals}f}",
                    difference=cell.value - total,
                    vintage=cell.vintage,
                )
            else:
                tally.ok()


def _under(table: pd.DataFrame, root: str) -> list[str]:
    """The region and every region below it."""
    codes, frontier = [root], [root]
    while frontier:
        frontier = [c for c in table.index if table.at[c, "parent"] in frontier]
        codes += frontier
    return codes


@register("survey_weights")
def _survey_weights(rule: Rule, ctx: Context, tally: _Tally) -> None:
    """Per survey and year: the design weights of the respondents of each child region of
    ``parents`` sum to the region's share of ``population`` at the end of the survey's year."""
    p = rule.params
    pop_code = ctx.store.indicator(str(p["population"])).code
    tol = float(p.get("tolerance", 0.0005)) + 1e-12
    responses = ctx.store.survey()
    people = responses.drop_duplicates(["survey", "year", "respondent_id"])
    for parent in ctx.regions(p["parents"]):
        children = [r.code for r in ctx.store.children(parent)]
        pops = annual_values(ctx, pop_code, children)
        for key, group in people.groupby(["survey", "year"]):
            survey, year = str(key[0]), int(str(key[1]))
            if not ctx.in_period(str(year)):
                continue
            inside = group[group["region"].isin(children)]
            if inside.empty:
                continue
            cells = [pops.get((c, year)) for c in children]
            if any(c is None or _missing(c.value) for c in cells):
                tally.absent()
                continue
            total_pop = sum(c.value for c in cells if c is not None)
            weights = inside.groupby("region")["weight"].sum()
            total_w = float(weights.sum())
            gaps = {
                code: float(weights.get(code, 0.0)) / total_w - cell.value / total_pop
                for code, cell in zip(children, cells, strict=True)
                if cell is not None
            }
            worst = max(gaps, key=lambda c: abs(gaps[c]))
            if abs(gaps[worst]) > tol:
                share_w = float(weights.get(worst, 0.0)) / total_w
                share_p = share_w - gaps[worst]
                name = str(ctx.region_table.at[worst, "name"])
                tally.fail(
                    pop_code,
                    worst,
                    str(year),
                    {"weight_share": round(share_w, 6), "population_share": round(share_p, 6)},
                    round(share_p, 6),
                    f"权数不符：{year}年{survey}{name}样本权数占{share_w * 100:.2f}%，"
                    f"年末常住人口占{share_p * 100:.2f}%",
                    difference=gaps[worst],
                )
            else:
                tally.ok()
