"""Measures of official statistics: growth, 环比, 1—X月平均, shares, pulls and contributions at
comparable prices, ranks and half-up rounding.

Pure functions on numbers and pandas Series. Rates are in percent (``7.2`` means 7.2%), differences
of rates in percentage points (个百分点). Nothing here rounds except ``round_half_up`` and ``fmt``:
compute at full precision, round once when publishing (CONVENTIONS §5).

Missing values and undefined measures:

- a missing input (None, NaN) gives NaN, so a table can still be built and the gap left blank;
- a base where the measure is undefined (zero or negative previous level, zero total change)
  raises ConfigError for scalars, and gives NaN in that row of a Series.

>>> fmt(yoy(110.0, 100.0))
'10.0'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Literal, cast

import numpy as np
import pandas as pd

from statlib import periods
from statlib._decimal import quantize, to_decimal
from statlib.errors import ConfigError
from statlib.periods import Period

__all__ = [
    "comparable_growth",
    "contribution",
    "contributions",
    "cumulative_average",
    "cumulative_from_current",
    "cumulative_growth",
    "current_from_cumulative",
    "fmt",
    "mom",
    "pull",
    "pull_decimals",
    "rank",
    "required_growth",
    "round_half_up",
    "share",
    "share_change",
    "two_year_average",
    "yoy",
]

Values = float | pd.Series
_RANK_METHODS = ("min", "max", "dense", "first")
_MOM_KINDS = ("level", "fixed", "chained")
_AVERAGE_BASES = ("same_month", "fixed")


def round_half_up(x: float | Decimal, decimals: int = 1) -> Decimal:
    """Round half-up (四舍五入) on the decimal a float prints as, keeping trailing zeros.

    >>> round_half_up(2.25), round_half_up(-0.05), round_half_up(0.1 + 0.2), round_half_up(6)
    (Decimal('2.3'), Decimal('-0.1'), Decimal('0.3'), Decimal('6.0'))

    A missing value (None, NaN) raises ConfigError: test for it first, or use ``fmt``.
    """
    d = to_decimal(x, "x")
    if d is None:
        raise ConfigError(
            f"round_half_up: x is missing ({x!r}); test for missing values first, "
            "or use fmt(), which prints a blank for them"
        )
    return quantize(d, decimals)


def fmt(x: float | Decimal | None, decimals: int = 1, missing: str = "") -> str:
    """Format a number half-up with exactly ``decimals`` places; ``missing`` for None/NaN.

    The default blank for a missing value is the yearbook symbol for "not available".

    >>> fmt(2.25), fmt(6), fmt(-0.04), fmt(float("nan")), fmt(42505.123, 2)
    ('2.3', '6.0', '0.0', '', '42505.12')
    """
    d = to_decimal(x, "x")
    if d is None:
        return missing
    return format(quantize(d, decimals), "f")


def yoy(current: Values, previous: Values) -> Values:
    """Growth in % of ``current`` over ``previous`` (同比, from levels).

    >>> round(yoy(107.2, 100.0), 6)
    7.2
    """
    return (_divide(current, previous, "yoy", "previous", positive=True) - 1) * 100


def comparable_growth(level_t: Values, level_prev: Values, deflator: Values) -> Values:
    """Real growth in % at comparable prices (按可比价格计算) from current-price levels.

    ``deflator`` is a price index with the previous year = 100 (102.0: prices up 2%):
    growth = (level_t / (deflator / 100) / level_prev − 1) · 100.

    >>> round(comparable_growth(110.0, 100.0, 102.0), 4)
    7.8431
    """
    index = _as_float(deflator, "comparable_growth", "deflator")
    checked = index.dropna() if isinstance(index, pd.Series) else pd.Series([index]).dropna()
    if ((checked <= 50) | (checked >= 200)).any():
        raise ConfigError(
            f"comparable_growth: deflator must be an index with the previous year = 100 "
            f"(e.g. 102.3 for prices up 2.3%), got {deflator!r}"
        )
    real = _as_float(level_t, "comparable_growth", "level_t") / (index / 100)
    return yoy(real, level_prev)


def two_year_average(total_growth_pct: Values) -> Values:
    """Average annual growth in % over two years: (√(1 + g) − 1) · 100 (两年平均增长).

    >>> fmt(two_year_average(13.2))
    '6.4'
    """
    g = _as_float(total_growth_pct, "two_year_average", "total_growth_pct")
    if isinstance(g, pd.Series):
        g = g.mask(g <= -100)
        return (np.sqrt(1 + g / 100) - 1) * 100
    if g <= -100:
        raise ConfigError(
            f"two_year_average: total_growth_pct must be above -100, got {total_growth_pct!r}"
        )
    return (math.sqrt(1 + g / 100) - 1) * 100


def share(part: Values, total: Values) -> Values:
    """Share (比重) of ``part`` in ``total``, in %.

    >>> share(25.0, 200.0)
    12.5
    """
    return _divide(part, total, "share", "total", positive=True) * 100


def share_change(part: Values, total: Values, part_prev: Values, total_prev: Values) -> Values:
    """Change of a share in percentage points (比重提高/下降X个百分点).

    >>> round(share_change(30.0, 100.0, 25.0, 100.0), 6)
    5.0
    """
    return share(part, total) - share(part_prev, total_prev)


def contribution(part_delta: Values, total_delta: Values) -> Values:
    """Contribution rate (贡献率) in %: a component's share of the total's increase.

    Use changes at comparable prices for GDP components. The rates of all parts sum to 100.

    >>> contribution(6.0, 10.0)
    60.0
    """
    return _divide(part_delta, total_delta, "contribution", "total_delta") * 100


def pull(part_delta: Values, total_prev: Values) -> Values:
    """Pulling points (拉动…个百分点): a component's increase over the total's previous level.

    Equals total growth × contribution / 100; the pulls of all parts sum to the total's growth.

    >>> pull(6.0, 100.0)
    6.0
    """
    return _divide(part_delta, total_prev, "pull", "total_prev", positive=True) * 100


def pull_decimals(pulls: Iterable[float | Decimal | None] | pd.Series) -> int:
    """Decimals of the pulls (拉动, 个百分点) of one group — a table's column AND the sentences
    about it take them from here, so the prose never says 0.4 where the table says 0.35.

    One decimal, as for every percentage-point figure and in NBS's yearbook tables (CONVENTIONS
    §5); two when any non-zero pull of the group is below 0.05 in absolute value, which one
    decimal would print as 0.0, hiding its size and its sign (NBS then writes two: 影响CPI上涨约
    0.05个百分点). Missing pulls are ignored. Pass every pull the table and the text show
    (a 合计 too): the group shares one number of decimals.

    >>> pull_decimals([3.19, 1.78, 0.08]), pull_decimals([0.35, 0.12, -0.04]), pull_decimals([])
    (1, 2, 1)
    """
    values = pulls.tolist() if isinstance(pulls, pd.Series) else list(pulls)
    for x in values:
        d = to_decimal(x, "pulls")
        if d is not None and d != 0 and abs(d) < Decimal("0.05"):
            return 2
    return 1


def contributions(
    base_levels: Mapping[str, float] | pd.Series,
    real_growth: Mapping[str, float] | pd.Series,
    total_growth: float | None = None,
    *,
    base_total: float | None = None,
) -> pd.DataFrame:
    """Pulls (拉动) and contribution rates (贡献率) of the parts of a total at comparable prices.

    From each part's current-price level in the base period (上年, 上年同期) and its real growth
    in % (按可比价格计算), one row per part:

    - ``share``: the base-period structure, level ÷ ``base_total`` × 100 (%);
    - ``growth``: the real growth given (%);
    - ``pull``: share × growth ÷ 100 (个百分点) — at the base period's prices a part's real
      increment over the total's base level, so the pulls of exhaustive parts add up to the
      total's real growth;
    - ``contribution``: pull ÷ ``total_growth`` × 100 (%), a part's share of the real increase.

    This is how 三次产业贡献率 are compiled (按不变价格计算: 各产业增加值增量与生产总值增量之比).
    It is NOT the nominal increment over the nominal total (``pull``/``contribution`` on
    current-price changes), which counts price rises as growth: with NBS's 2023 figures the
    tertiary industry takes 84.6% of the nominal increase but 60.6% of the real one.

    ``base_total`` defaults to the sum of the parts' levels (exhaustive parts). ``total_growth``
    defaults to the aggregate of the parts (Σ pull), so the rates add up to 100; give the
    published growth of the total (GDP 5.2%) to divide by it instead, as a yearbook does — the
    rates then add up to about 100 only, because the published rates are rounded. It is required
    when ``base_total`` is given and differs from the sum of the parts (parts not exhaustive).
    A missing growth gives NaN in its row and, with the default total, in every contribution; a
    zero total growth gives NaN contributions. ``attrs["total_growth"]`` is the divisor used.

    >>> t = contributions({"一产": 88207.0, "二产": 467629.6, "三产": 678192.7},
    ...                   {"一产": 4.1, "二产": 4.7, "三产": 5.8})
    >>> [fmt(x, 2) for x in t["pull"]], [fmt(x) for x in t["contribution"]]
    (['0.29', '1.78', '3.19'], ['5.6', '33.8', '60.6'])
    """
    levels = _parts(base_levels, "base_levels")
    growth = _parts(real_growth, "real_growth")
    if set(levels.index) != set(growth.index):
        raise ConfigError(
            "contributions: base_levels and real_growth must name the same parts; only in "
            f"base_levels: {sorted(set(levels.index) - set(growth.index))}, only in real_growth: "
            f"{sorted(set(growth.index) - set(levels.index))}"
        )
    growth = growth.reindex(levels.index)
    parts_total = float(levels.sum(skipna=False))
    total = parts_total
    if base_total is not None:
        total = _scalar(base_total, "contributions", "base_total")
    if total <= 0:
        raise ConfigError(
            f"contributions: the base total must be positive, got {total!r}; check base_levels "
            "(the base period's current-price levels) or base_total"
        )
    exhaustive = math.isnan(parts_total) or math.isclose(total, parts_total, rel_tol=1e-9)
    if total_growth is None and not exhaustive:
        raise ConfigError(
            f"contributions: base_total ({total!r}) is not the sum of the parts ({parts_total!r}), "
            "so the total's growth is not the aggregate of the parts; give total_growth"
        )
    share_ = levels / total * 100
    pulls = share_ * growth / 100
    if total_growth is None:
        divisor = float(pulls.sum(skipna=False))
    else:
        divisor = _scalar(total_growth, "contributions", "total_growth")
    frame = pd.DataFrame(
        {
            "share": share_,
            "growth": growth,
            "pull": pulls,
            "contribution": pulls / divisor * 100 if divisor else math.nan,
        }
    )
    frame.attrs["total_growth"] = divisor
    return frame


def rank(
    values: Mapping[str, float] | pd.Series, descending: bool = True, method: str = "min"
) -> pd.Series:
    """Rank peers (位次), 1 = first; ties share a rank. Missing values get no rank (<NA>).

    ``method``: ``"min"`` (1, 2, 2, 4 — the next rank is skipped), ``"dense"`` (1, 2, 2, 3),
    ``"max"`` (1, 3, 3, 4) or ``"first"`` (ties broken by order). Returns an ``Int64`` Series.

    >>> rank({"A": 7.2, "B": 8.1, "C": 7.2, "D": 5.0}).tolist()
    [2, 1, 2, 4]
    """
    if method not in _RANK_METHODS:
        raise ConfigError(f"rank: method must be one of {', '.join(_RANK_METHODS)}, got {method!r}")
    series = values if isinstance(values, pd.Series) else pd.Series(dict(values), dtype=float)
    how = cast(Literal["min", "max", "dense", "first"], method)
    ranked = series.astype(float).rank(method=how, ascending=not descending, na_option="keep")
    return ranked.astype("Int64")


def required_growth(
    target_pct: float, done_cum_growth_pct: float, done_share_of_year: float
) -> float:
    """Growth in % the remaining months need so that the year reaches ``target_pct``.

    With last year's annual level L, of which the months already done made up the fraction
    s = ``done_share_of_year`` (e.g. 0.8 for Jan–Oct), the year needs (1 + target)·L; the months
    done have already delivered s·L·(1 + done growth); the rest of the year had (1 − s)·L last year:

        required = ((1 + target)·L − s·L·(1 + done)) / ((1 − s)·L) − 1

    >>> round(required_growth(6.0, 5.0, 0.8), 6)
    10.0
    """
    s = _scalar(done_share_of_year, "required_growth", "done_share_of_year")
    if not math.isnan(s) and not 0 < s < 1:
        raise ConfigError(
            "required_growth: done_share_of_year must be a fraction between 0 and 1 "
            f"(last year's level of the months done over last year's total, e.g. 0.8), got {s!r}"
        )
    target = _scalar(target_pct, "required_growth", "target_pct") / 100
    done = _scalar(done_cum_growth_pct, "required_growth", "done_cum_growth_pct") / 100
    return ((1 + target - s * (1 + done)) / (1 - s) - 1) * 100


def current_from_cumulative(series: pd.Series, combined_first: bool = True) -> pd.Series:
    """Current-month (当月) values from cumulative ones indexed ``YYYY-MM``.

    Each year starts afresh. With ``combined_first`` (the default, CONVENTIONS §1) the February
    value is 1—2月 combined and stays combined, and a January entry is an error. A month whose
    previous month is missing gives NaN.

    >>> s = pd.Series([10.0, 16.0, 21.0], index=["2022-02", "2022-03", "2022-04"])
    >>> current_from_cumulative(s).tolist()
    [10.0, 6.0, 5.0]
    """
    return _by_month(series, "current_from_cumulative", combined_first, cumulate=False)


def cumulative_from_current(series: pd.Series, combined_first: bool = True) -> pd.Series:
    """Cumulative (1—X月) values from current-month ones indexed ``YYYY-MM``; the inverse of
    ``current_from_cumulative``. After a missing month the rest of that year is NaN.

    >>> s = pd.Series([10.0, 6.0, 5.0], index=["2022-02", "2022-03", "2022-04"])
    >>> cumulative_from_current(s).tolist()
    [10.0, 16.0, 21.0]
    """
    return _by_month(series, "cumulative_from_current", combined_first, cumulate=True)


def cumulative_growth(series: pd.Series, combined_first: bool = True) -> pd.Series:
    """Cumulative growth in % (1—X月同比) from current-month levels indexed ``YYYY-MM``.

    Each month's cumulative level is compared with the same months of the year before; months
    without a year-earlier value give NaN.

    >>> s = pd.Series([10.0, 5.0, 11.0, 6.0],
    ...               index=["2021-02", "2021-03", "2022-02", "2022-03"])
    >>> [round(x, 4) for x in cumulative_growth(s).tolist()[2:]]
    [10.0, 13.3333]
    """
    cum = cumulative_from_current(series, combined_first)
    keys, _ = _months(series, "cumulative_growth", combined_first)
    by_key = dict(zip(keys, cum.to_numpy(), strict=True))
    now = cum.to_numpy()
    before = np.array([by_key.get(p.same_period_last_year(), np.nan) for p in keys], dtype=float)
    growth = yoy(pd.Series(now), pd.Series(before))
    return pd.Series(np.asarray(growth, dtype=float), index=series.index, name=series.name)


def cumulative_average(index: pd.Series, base: str = "same_month") -> pd.Series:
    """1—X月平均 of a monthly price index indexed ``YYYY-MM``: year to date, from each January.

    ``base="same_month"``: the index has 上年同月=100 (CPI and PPI as published monthly); the
    result is the simple (arithmetic) average of the year's indices from January to X, the one
    measure the published monthly indices allow. ``base="fixed"``: a fixed-base index (2015=100,
    or one chained from 上月=100 indices); the result is the sum of the year's indices from
    January to X over the sum of the same months of the year before, × 100 (上年同期=100) — the
    ratio of the average price levels, which is NBS's 1—X月 index (累计比). The two differ: the
    ratio weights each month's year-on-year index by last year's price level of that month, so
    from the published monthly CPI the simple average gives 102.4 for 2019 1—9月 where NBS
    published 102.5 (上涨2.5%), and both give 102.9 for the whole year. Prefer ``"fixed"`` when
    fixed-base indices are at hand; an index already 上年同期=100 is the 1—X月 figure itself.

    Every month from January to X (and, for ``"fixed"``, the same months a year earlier) must be
    there: after a missing month the rest of that year is NaN.

    >>> s = pd.Series([101.5, 102.9, 102.1], index=["2018-01", "2018-02", "2018-03"])
    >>> [fmt(x) for x in cumulative_average(s)]
    ['101.5', '102.2', '102.2']
    >>> f = pd.Series([100.0, 100.0, 103.0, 101.0],
    ...               index=["2022-01", "2022-02", "2023-01", "2023-02"])
    >>> [fmt(x) for x in cumulative_average(f, base="fixed")]
    ['', '', '103.0', '102.0']
    """
    if base not in _AVERAGE_BASES:
        raise ConfigError(
            f"cumulative_average: base must be 'same_month' (上年同月=100) or 'fixed' "
            f"(a fixed-base index such as 2015=100), got {base!r}"
        )
    keys, values = _months(index, "cumulative_average", combined_first=False)
    at = {p: v for p, v in zip(keys, values, strict=True)}

    def year_to_date(p: Period) -> list[float]:
        return [at.get(Period(p.year, "M", m), math.nan) for m in range(1, p.sub + 1)]

    result = []
    for p in keys:
        now = year_to_date(p)
        if base == "same_month":  # the exact decimal mean: a tie such as 101.55 stays a tie
            exact = [to_decimal(v, "index") for v in now]
            ok = all(d is not None for d in exact)
            result.append(float(sum(cast(list[Decimal], exact)) / len(now)) if ok else math.nan)
            continue
        before = sum(year_to_date(p.same_period_last_year()))
        result.append(sum(now) / before * 100 if before > 0 else math.nan)
    return pd.Series(result, index=index.index, name=index.name, dtype=float)


def mom(series: pd.Series, kind: str = "level", combined_first: bool = False) -> pd.Series:
    """Month-on-month change in % (环比) of a series indexed ``YYYY-MM``.

    ``kind="level"``: current-month levels (出口总值当期值), (x_t ÷ x_{t−1} − 1) × 100;
    ``kind="fixed"``: a fixed-base index (2015=100), the same ratio; ``kind="chained"``: an
    index with the previous month = 100 (上月=100), x_t − 100. The previous month is the
    calendar one (December for January); when it is missing, or not positive, the month has no
    环比 (NaN) — so 2020's exports, whose January and February were published only combined,
    have none for February and March.

    ``combined_first`` is for an indicator whose 1—2月 is published combined (规模以上工业增加值,
    CONVENTIONS §1): January entries are refused and the February value is read as 1—2月. That
    value has no 环比 (January alone was never published), and neither has March for levels and
    fixed-base indices (its predecessor, February alone, was never published); a chained March
    index already compares with February and is kept.

    >>> s = pd.Series([217566642.0, 135200630.0], index=["2019-01", "2019-02"])
    >>> [fmt(x) for x in mom(s)], [fmt(x) for x in mom(pd.Series([100.9], ["2023-05"]), "chained")]
    (['', '-37.9'], ['0.9'])
    """
    if kind not in _MOM_KINDS:
        raise ConfigError(f"mom: kind must be one of {', '.join(_MOM_KINDS)}, got {kind!r}")
    keys, values = _months(series, "mom", combined_first)
    at = {p: v for p, v in zip(keys, values, strict=True)}
    result = []
    for p, v in zip(keys, values, strict=True):
        if combined_first and (p.sub == 2 or (p.sub == 3 and kind != "chained")):
            result.append(math.nan)
        elif kind == "chained":
            result.append(v - 100)
        else:
            prev = at.get(p.previous(cumulative=False), math.nan)
            result.append((v / prev - 1) * 100 if prev > 0 else math.nan)
    return pd.Series(result, index=series.index, name=series.name, dtype=float)


def _months(series: pd.Series, func: str, combined_first: bool) -> tuple[list[Period], np.ndarray]:
    """The months of a ``YYYY-MM`` index (through :mod:`statlib.periods`), and the values as
    floats."""
    if not isinstance(series, pd.Series):
        raise ConfigError(f"{func}: series must be a pandas Series indexed by 'YYYY-MM'")
    keys = []
    for label in series.index:
        try:
            key = periods.parse(label if isinstance(label, str | Period) else str(label))
        except ConfigError:
            key = None
        if key is None or key.freq != "M" or str(key) != str(label):  # the stored form only
            raise ConfigError(f"{func}: index label {label!r} is not a month like '2022-11'")
        if combined_first and key.sub == 1:
            raise ConfigError(
                f"{func}: {label} is January, which is published only as 1—2月 combined; "
                "drop it, or pass combined_first=False for an indicator with January figures"
            )
        keys.append(key)
    if len(set(keys)) != len(keys):
        raise ConfigError(f"{func}: the index has duplicate months; keep one value per month")
    return keys, series.astype(float).to_numpy()


def _by_month(series: pd.Series, func: str, combined_first: bool, *, cumulate: bool) -> pd.Series:
    """Walk the months in calendar order: the month a year's figures start with (February when
    January is combined into 1—2月) keeps its value; a later month adds its value to the month
    before (``cumulate``) or subtracts that month's value; a month whose previous month is
    missing gives NaN."""
    keys, values = _months(series, func, combined_first)
    start = 2 if combined_first else 1
    result = np.full(len(keys), np.nan)
    prev: tuple[int, Period] | None = None
    for i in sorted(range(len(keys)), key=keys.__getitem__):
        p = keys[i]
        if p.sub == start:
            result[i] = values[i]
        elif prev is not None and prev[1] == Period(p.year, "M", p.sub - 1):
            j = prev[0]
            result[i] = result[j] + values[i] if cumulate else values[i] - values[j]
        prev = (i, p)
    return pd.Series(result, index=series.index, name=series.name)


def _parts(x: Mapping[str, float] | pd.Series, name: str) -> pd.Series:
    """The parts of a total as a float Series (a mapping keeps its order); duplicates refused."""
    series = x if isinstance(x, pd.Series) else pd.Series(dict(x), dtype=object)
    if series.empty or series.index.has_duplicates:
        raise ConfigError(
            f"contributions: {name} must name each part once (a Series or dict keyed by part), "
            f"got {list(series.index)!r}"
        )
    return cast(pd.Series, _as_float(series, "contributions", name))


def _as_float(x: object, func: str, name: str) -> Values:
    """A scalar as float (NaN when missing) or a Series as float Series."""
    if isinstance(x, pd.Series):
        try:
            return x.astype(float)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{func}: {name} must hold numbers only ({exc})") from None
    try:
        d = to_decimal(x, name)
    except ConfigError as exc:
        raise ConfigError(f"{func}: {exc}") from None
    return math.nan if d is None else float(x)  # type: ignore[arg-type]


def _scalar(x: object, func: str, name: str) -> float:
    """A scalar argument as float (NaN when missing); a Series is refused."""
    value = _as_float(x, func, name)
    if isinstance(value, pd.Series):
        raise ConfigError(f"{func}: {name} must be one number, not a Series")
    return value


def _divide(num: Values, den: Values, func: str, name: str, positive: bool = False) -> Values:
    """num / den; an undefined base raises for a scalar and masks to NaN inside a Series."""
    n = _as_float(num, func, "numerator")
    d = _as_float(den, func, name)
    if isinstance(d, pd.Series):
        return n / d.mask(d <= 0 if positive else d == 0)
    if not math.isnan(d) and (d <= 0 if positive else d == 0):
        need = "positive" if positive else "non-zero"
        raise ConfigError(f"{func}: {name} must be {need}, got {den!r}; the measure is undefined")
    return n / d
