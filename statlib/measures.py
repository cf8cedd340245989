"""Measures of official statistics: growth, shares, contributions, ranks and half-up rounding.

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
from collections.abc import Mapping
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
    "cumulative_from_current",
    "cumulative_growth",
    "current_from_cumulative",
    "fmt",
    "pull",
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
