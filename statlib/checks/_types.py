"""The eight rule types: range, balance, hierarchy, completeness, uniqueness, conditional,
growth_consistency and outlier_hb (semantics in ``rules/README.md``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from statlib import periods
from statlib.checks._evaluate import OPS, Context, _Tally, fmt, register
from statlib.checks.outliers import hidiroglou_berthelot
from statlib.errors import ConfigError

if TYPE_CHECKING:
    from statlib.checks.rules import Rule


def _nan(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _lookup(frame: pd.DataFrame) -> dict[tuple[str, str, str], tuple[float, Any]]:
    """(indicator, region, period) → (value, vintage)."""
    return {
        (i, r, p): (v, vt)
        for i, r, p, v, vt in zip(
            frame["indicator"],
            frame["region"],
            frame["period"],
            frame["value"],
            frame["vintage"],
            strict=True,
        )
    }


@register("range")
def _range(rule: Rule, ctx: Context, tally: _Tally) -> None:
    p = rule.params
    low, high = p.get("min", -math.inf), p.get("max", math.inf)
    frame = ctx.observations(ctx.indicators(p["indicators"]), ctx.regions(p["regions"]))
    for i, r, per, v, vt in zip(
        frame["indicator"],
        frame["region"],
        frame["period"],
        frame["value"],
        frame["vintage"],
        strict=True,
    ):
        if not ctx.in_period(per):
            continue
        if _nan(v):
            tally.absent()
        elif low - 1e-9 <= v <= high + 1e-9:
            tally.ok()
        else:
            gap = v - high if v > high else v - low
            tally.fail(
                i,
                r,
                per,
                {i: v},
                f"[{fmt(low)}, {fmt(high)}]",
                f"值 value {fmt(v)} 超出范围 outside [{fmt(low)}, {fmt(high)}]",
                gap,
                vt,
            )


@register("balance")
def _balance(rule: Rule, ctx: Context, tally: _Tally) -> None:
    p = rule.params
    total = ctx.indicators(p["total"])[0]
    parts = ctx.indicators(p["parts"])
    tol = ctx.tolerance(p.get("tolerance"), len(parts), total)
    frame = ctx.observations([total, *parts], ctx.regions(p["regions"]))
    values = _lookup(frame)
    for r, per in sorted(
        {
            (r, per)
            for r, per in zip(frame["region"], frame["period"], strict=True)
            if ctx.in_period(per)
        }
    ):
        got = {c: values.get((c, r, per), (math.nan, None)) for c in (total, *parts)}
        gap = _adds_up(tally, got, total, parts, tol)
        if gap is not None:
            nums, expected, diff, vint = gap
            tally.fail(
                total,
                r,
                per,
                nums,
                expected,
                f"{total} {fmt(nums[total])} ≠ {' + '.join(parts)} = {fmt(expected)} "
                f"(差 difference {fmt(diff)}, 容差 tolerance {fmt(round(tol, 6))})",
                diff,
                vint,
            )


def _adds_up(
    tally: _Tally, got: dict[str, tuple[float, Any]], whole: str, parts: list[str], tol: float
) -> tuple[dict[str, float], float, float, int] | None:
    """Tally an absent value or parts that add up to ``whole`` within ``tol``; otherwise
    return what the failure shows: the values, their sum, the difference and the vintage."""
    nums = {c: v for c, (v, _) in got.items()}
    if any(_nan(v) for v in nums.values()):
        tally.absent()
        return None
    expected = sum(nums[c] for c in parts)
    diff = nums[whole] - expected
    if abs(diff) <= tol:
        tally.ok()
        return None
    vint = max(int(vt) for _, vt in got.values() if vt is not None and not pd.isna(vt))
    return nums, expected, diff, vint


@register("hierarchy")
def _hierarchy(rule: Rule, ctx: Context, tally: _Tally) -> None:
    p = rule.params
    inds = ctx.indicators(p["indicators"])
    for parent in ctx.regions(p["parents"]):
        kids = [k.code for k in ctx.store.children(parent)]
        if not kids:
            continue
        frame = ctx.observations(inds, [parent, *kids])
        values = _lookup(frame)
        for ind in inds:
            tol = ctx.tolerance(p.get("tolerance"), len(kids), ind)
            pers = sorted(
                {
                    per
                    for i, per in zip(frame["indicator"], frame["period"], strict=True)
                    if i == ind and ctx.in_period(per)
                }
            )
            for per in pers:
                got = {c: values.get((ind, c, per), (math.nan, None)) for c in (parent, *kids)}
                gap = _adds_up(tally, got, parent, kids, tol)
                if gap is None:
                    continue
                nums, expected, diff, vint = gap
                tally.fail(
                    ind,
                    parent,
                    per,
                    nums,
                    expected,
                    f"{parent} {fmt(nums[parent])} ≠ 下辖合计 sum of {len(kids)} "
                    f"children {fmt(expected)} (差 difference {fmt(diff)})",
                    diff,
                    vint,
                )


def _january_absent(ctx: Context, ind: str, mode: str) -> bool:
    if mode != "auto":
        return mode == "absent"
    # Flows combine 1—2月 (CONVENTIONS §1); stocks, indices and their growth rates have January.
    kinds = {ctx.catalogue.at[ind, "kind"]}
    level = str(ctx.catalogue.at[ind, "growth_of"] or "")
    if level in ctx.catalogue.index:
        kinds.add(ctx.catalogue.at[level, "kind"])
    return not kinds & {"stock", "balance", "index"}


@register("completeness")
def _completeness(rule: Rule, ctx: Context, tally: _Tally) -> None:
    p = rule.params
    inds = ctx.indicators(p["indicators"])
    frame = ctx.observations(inds, ctx.regions(p["regions"]))
    limit = ctx.window[1] if ctx.window else math.inf
    frame = frame[frame["end"] <= limit]
    series: dict[tuple[str, str, int], set[str]] = {}  # one per frequency (length of the code)
    for ind, reg, per in zip(frame["indicator"], frame["region"], frame["period"], strict=True):
        series.setdefault((ind, reg, len(per)), set()).add(per)
    no_january: dict[str, bool] = {}
    for (ind, reg, _), have in sorted(series.items()):
        if ind not in no_january:
            no_january[ind] = _january_absent(ctx, ind, p.get("january", "auto"))
        no_jan = no_january[ind]
        ordered = sorted(have, key=periods.parse)
        for per in periods.period_range(ordered[0], ordered[-1]):
            january = len(per) == 7 and per.endswith("-01")
            if january and no_jan:
                if per in have:
                    tally.fail(
                        ind,
                        reg,
                        per,
                        {},
                        "absent",
                        "1月不单独发布 January is combined with February (1—2月)",
                    )
                continue
            if per in have:
                tally.ok()
            else:
                tally.fail(
                    ind,
                    reg,
                    per,
                    {},
                    "present",
                    f"缺少期别 missing period {per} (between {ordered[0]} and {ordered[-1]})",
                )


@register("uniqueness")
def _uniqueness(rule: Rule, ctx: Context, tally: _Tally) -> None:
    p = rule.params
    inds, regs = ctx.indicators(p["indicators"]), ctx.regions(p["regions"])
    if not inds or not regs:
        return
    sql = (
        f"SELECT indicator, region, period, vintage, count(*) AS n FROM observation "
        f"WHERE indicator IN ({', '.join('?' * len(inds))}) "
        f"AND region IN ({', '.join('?' * len(regs))}) GROUP BY indicator, region, period, "
        f"vintage"
    )
    counts = ctx.store.backend.query(sql, [*inds, *regs])
    latest = counts.sort_values("vintage").groupby(["indicator", "region", "period"]).tail(1)
    for i, r, per, vt, n in zip(
        latest["indicator"],
        latest["region"],
        latest["period"],
        latest["vintage"],
        latest["n"],
        strict=True,
    ):
        if not ctx.in_period(str(per)):
            continue
        if int(n) == 1:
            tally.ok()
        else:
            tally.fail(
                str(i),
                str(r),
                str(per),
                {},
                1,
                f"{int(n)} 个最新值 latest values for one key",
                float(n) - 1,
                vt,
            )


def _bindings(rule: Rule, ctx: Context) -> list[dict[str, str]]:
    if rule.params.get("each") != "growth_pairs":
        return [{}]
    sel = rule.params.get("indicators", {"growth_of": "any"})
    growths = ctx.indicators(sel)
    cat = ctx.catalogue
    return [
        {"growth": g, "level": str(cat.at[g, "growth_of"])}
        for g in growths
        if str(cat.at[g, "growth_of"] or "")
    ]


def _conditions(value: Any, binding: dict[str, str]) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    out = []
    for cond in items:
        c = dict(cond)
        for key in ("indicator", "other"):
            if key in c:
                c[key] = str(c[key]).format(**binding)
        out.append(c)
    return out


def _holds(cond: dict[str, Any], values: dict, reg: str, per: str) -> bool | None:
    """True/False, or None when a compared value is absent."""
    target = per
    if cond.get("lag_years"):
        q = periods.parse(per)
        target = str(periods.Period(q.year - int(cond["lag_years"]), q.freq, q.sub))
    v = values.get((cond["indicator"], reg, target), (math.nan, None))[0]
    if "present" in cond:
        return (not _nan(v)) == bool(cond["present"])
    other = cond.get("value")
    if "other" in cond:
        other = values.get((cond["other"], reg, target), (math.nan, None))[0]
    if _nan(v) or other is None or _nan(other):
        return None
    return OPS[cond["op"]](float(v), float(other))


@register("conditional")
def _conditional(rule: Rule, ctx: Context, tally: _Tally) -> None:
    p = rule.params
    regs = ctx.regions(p["regions"])
    for binding in _bindings(rule, ctx):
        when, then = _conditions(p["if"], binding), _conditions(p["then"], binding)
        inds = {c[k] for c in (*when, *then) for k in ("indicator", "other") if k in c}
        frame = ctx.observations([ctx.store.indicator(i).code for i in inds], regs)
        values = _lookup(frame)
        keys = sorted(
            {
                (r, per)
                for i, r, per in zip(
                    frame["indicator"], frame["region"], frame["period"], strict=True
                )
                if i == when[0]["indicator"] and ctx.in_period(per)
            }
        )
        for r, per in keys:
            if not all(_holds(c, values, r, per) for c in when):
                continue
            verdicts = [_holds(c, values, r, per) for c in then]
            if any(v is False for v in verdicts):
                shown = {i: values.get((i, r, per), (math.nan, None))[0] for i in sorted(inds)}
                wanted = "; ".join(_describe(c) for c in then)
                tally.fail(
                    then[0]["indicator"],
                    r,
                    per,
                    shown,
                    wanted,
                    f"条件不成立 condition fails: 若 if {'; '.join(map(_describe, when))}"
                    f" 则 then {wanted}",
                )
            elif any(v is None for v in verdicts):
                tally.absent()
            else:
                tally.ok()


def _describe(cond: dict[str, Any]) -> str:
    lag = f" (上年 {cond['lag_years']}y earlier)" if cond.get("lag_years") else ""
    if "present" in cond:
        return f"{cond['indicator']}{lag} {'present' if cond['present'] else 'absent'}"
    return f"{cond['indicator']}{lag} {cond['op']} {cond.get('other', cond.get('value'))}"


@register("growth_consistency")
def _growth_consistency(rule: Rule, ctx: Context, tally: _Tally) -> None:
    p = rule.params
    tol = float(p.get("tolerance", 0.1)) + 1e-9
    regs = ctx.regions(p["regions"])
    for growth in ctx.indicators(p["indicators"]):
        level = str(ctx.catalogue.at[growth, "growth_of"] or "")
        if not level:
            raise ConfigError(f"{growth} is not a growth indicator (no growth_of in the catalogue)")
        frame = ctx.observations([growth, level], regs)
        values = _lookup(frame)
        rows = frame[(frame["indicator"] == growth)]
        for r, per, g, vt in zip(
            rows["region"], rows["period"], rows["value"], rows["vintage"], strict=True
        ):
            if not ctx.in_period(per):
                continue
            now = values.get((level, r, per), (math.nan, None))[0]
            before = values.get((level, r, periods.same_period_last_year(per)), (math.nan, None))[0]
            if _nan(g) or _nan(now) or _nan(before) or before <= 0:
                tally.absent()
                continue
            recomputed = (now / before - 1) * 100
            diff = g - recomputed
            if abs(diff) <= tol:
                tally.ok()
                continue
            vint = max(int(v) for v in (vt, values[(level, r, per)][1]) if not pd.isna(v))
            tally.fail(
                growth,
                r,
                per,
                {growth: g, level: now, f"{level}@-1y": before},
                round(recomputed, 4),
                f"公布增速 stated {fmt(g)}% ≠ 由总量计算 from levels "
                f"{recomputed:.2f}% (差 {diff:+.2f})",
                diff,
                vint,
            )


@register("outlier_hb")
def _outlier_hb(rule: Rule, ctx: Context, tally: _Tally) -> None:
    p = rule.params
    knobs = {k: float(p[k]) for k in ("U", "A", "C") if k in p}
    history = bool(p.get("history", False))
    for parent in ctx.regions(p["parents"]):
        kids = [k.code for k in ctx.store.children(parent)]
        frame = ctx.observations(ctx.indicators(p["indicators"]), kids)
        for ind, group in frame.groupby("indicator", sort=True):
            wide = group.pivot(index="period", columns="region", values="value")
            vint = group.pivot(index="period", columns="region", values="vintage")
            ordered = sorted(wide.index, key=periods.parse)
            if ctx.period is None and not history:
                ordered = ordered[-1:]  # a release checks its newest period
            for per in ordered:
                last = periods.same_period_last_year(per)
                if not ctx.in_period(per) or last not in wide.index:
                    continue
                # one label of the pivot's unique period index selects one row (a Series)
                row_now, row_last = cast(pd.Series, wide.loc[per]), cast(pd.Series, wide.loc[last])
                hb = hidiroglou_berthelot(row_now, row_last, **knobs)
                for unit, row in hb.iterrows():
                    if not row["valid"]:
                        tally.absent()
                    elif not row["flag"]:
                        tally.ok()
                    else:
                        bounds = f"[{row['lower']:.2f}, {row['upper']:.2f}]"
                        tally.fail(
                            str(ind),
                            str(unit),
                            per,
                            {
                                "current": row["current"],
                                "previous": row["previous"],
                                "ratio": round(row["ratio"], 4),
                            },
                            f"effect within {bounds}",
                            f"异常变动 outlying change: {last}→{per} ratio "
                            f"{row['ratio']:.3f} (median {hb.attrs['median_ratio']:.3f}),"
                            f" effect {row['effect']:.2f} outside {bounds}",
                            float(row["effect"]),
                            vint.at[per, unit],
                        )
