"""China's calendar by month: the Spring Festival's date and windows, and working days.

Dates come from the ``holidays`` package (``holidays.China``): the festival (正月初一) is the
first day it names ``Chinese New Year (Spring Festival)``, computed from its own lunisolar
calendar; working days count Monday–Friday less statutory holidays plus the 调休 make-up
Saturdays and Sundays (``weekend_workdays``), as ``get_working_days_count`` does. Years whose
schedule the State Council has not announced yet get the statutory days without 调休.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache

import holidays
import numpy as np
import pandas as pd

from statlib import periods
from statlib.errors import ConfigError

__all__ = [
    "FESTIVAL_WINDOWS",
    "calendar_regressors",
    "festival_date",
    "festival_shares",
    "working_days",
]

# The long-run span whose monthly means are taken out of every regressor, so that the average
# festival and working-day pattern stays in the seasonal factors (X-13's "mean-adjusted"
# holiday regressors). 50 years hold more than two 19-year cycles of the lunisolar calendar.
MEAN_SPAN = (2000, 2049)
# (days before the festival, days from the festival on) tried by `adjust` (chosen by AIC).
FESTIVAL_WINDOWS: tuple[tuple[int, int], ...] = (
    (10, 14),
    (20, 14),
    (10, 21),
    (20, 21),
    (10, 28),
    (20, 28),
    (20, 35),
)
_FESTIVAL_NAME = "Chinese New Year (Spring Festival)"
HOLIDAY_WEEK = 7  # 初一 and the six days after: the statutory Spring Festival break
MAX_BEFORE, MAX_AFTER = 20, 39  # from 21 January back to 1 January; from 20 February to 31 March
COLUMNS = ["spring_festival", "spring_festival_pre", "spring_festival_post", "working_days"]
_FIRST_YEAR, _LAST_YEAR = 1950, 2099


@cache
def _china(year: int) -> holidays.HolidayBase:
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise ConfigError(
            f"seasonal calendar: year {year} is outside {_FIRST_YEAR}–{_LAST_YEAR}, the span "
            "of holidays.China; give periods within it"
        )
    return holidays.China(years=year)


@cache
def festival_date(year: int) -> dt.date:
    """The Spring Festival (正月初一) of ``year``, from ``holidays.China``.

    >>> festival_date(2018), festival_date(2017)
    (datetime.date(2018, 2, 16), datetime.date(2017, 1, 28))
    """
    days = sorted(d for d, name in _china(year).items() if name == _FESTIVAL_NAME)
    if not days:  # pragma: no cover - holidays.China names the festival every year it covers
        raise ConfigError(f"seasonal calendar: holidays.China has no Spring Festival in {year}")
    return days[0]


@cache
def working_days(year: int, month: int) -> int:
    """Working days of a month in China: statutory holidays out, 调休 make-up days in.

    >>> working_days(2018, 2), working_days(2018, 1), working_days(2019, 10)
    (17, 22, 19)
    """
    first = dt.date(year, month, 1)
    last = (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date()
    return int(_china(year).get_working_days_count(first, last))


@cache
def festival_shares(year: int, before: int, after: int) -> tuple[tuple[float, ...], ...]:
    """Shares of three windows falling in January, February and March of ``year``: the
    ``before`` days up to the eve (the rush), the holiday week (初一 and six days: the
    statutory break), and the days after it up to ``after`` days from 初一 (the slow restart).

    >>> festival_shares(2018, 10, 21)
    ((0.0, 1.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.4286, 0.5714))
    """
    if not (1 <= before <= MAX_BEFORE and HOLIDAY_WEEK <= after <= MAX_AFTER):
        raise ConfigError(
            f"seasonal calendar: a festival window (days before, days from 初一) must be within "
            f"(1…{MAX_BEFORE}, {HOLIDAY_WEEK}…{MAX_AFTER}) so that it stays in January–March "
            f"(the festival falls 21 January…20 February), got ({before}, {after})"
        )
    day = festival_date(year)
    windows = (
        [day - dt.timedelta(days=k) for k in range(1, before + 1)],
        [day + dt.timedelta(days=k) for k in range(HOLIDAY_WEEK)],
        [day + dt.timedelta(days=k) for k in range(HOLIDAY_WEEK, after)],
    )
    out = []
    for window in windows:
        months = [d.month if d.year == year else 0 for d in window]
        n = max(len(window), 1)
        out.append(tuple(round(months.count(m) / n, 4) for m in (1, 2, 3)))
    return out[0], out[1], out[2]


@cache
def _means(before: int, after: int) -> np.ndarray:
    """Long-run means by calendar month (rows 1–12) of the regressors (columns as
    :data:`COLUMNS`)."""
    means = np.zeros((12, len(COLUMNS)))
    years = range(MEAN_SPAN[0], MEAN_SPAN[1] + 1)
    for year in years:
        pre, week, post = festival_shares(year, before, after)
        means[:3, 0] += week
        means[:3, 1] += pre
        means[:3, 2] += post
        for month in range(1, 13):
            means[month - 1, 3] += working_days(year, month)
    return means / len(years)


def months(labels: Iterable[object], func: str) -> list[periods.Period]:
    """The months ``labels`` name (``2018-02``); anything else refused, naming ``func``."""
    out = []
    for label in labels:
        try:
            p = periods.parse(str(label))
        except ConfigError as exc:
            raise ConfigError(f"{func}: periods must be months like '2018-02': {exc}") from None
        if p.freq != "M":
            raise ConfigError(f"{func}: periods must be monthly ('2018-02'), got {label!r}")
        out.append(p)
    return out


def calendar_regressors(periods: Sequence[str], window: tuple[int, ...] = (20, 28)) -> pd.DataFrame:
    """Calendar regressors of months ``periods`` (past or future), for a RegARIMA's exog.

    ``spring_festival``: share of the holiday week (初一 and six days: factories closed, workers
    away) falling in the month; ``spring_festival_pre``: share of the ``window[0]`` days before
    it (the rush before the holiday); ``spring_festival_post``: share of the days after the week
    up to ``window[1]`` days from 初一 (the slow restart); ``working_days``: the month's working
    days (:func:`working_days`). Each is net of its long-run mean for that
    calendar month (2000–2049), so that the average pattern stays seasonal and only the year-to-
    year movement of the festival and of working days is calendar effect.

    >>> x = calendar_regressors(["2018-01", "2018-02", "2018-03"], window=(20, 28))
    >>> x.round(2)["spring_festival_post"].tolist()  # 16 Feb 2018 + 7…27 days: March mostly
    [-0.01, -0.44, 0.46]
    """
    if len(window) != 2:
        raise ConfigError(
            f"calendar_regressors: window must be (days before, days from), got {window!r}"
        )
    labels = tuple(str(p) for p in periods)
    return pd.DataFrame(
        _regressors(labels, int(window[0]), int(window[1])),
        columns=COLUMNS,
        index=pd.Index(list(labels), name="period"),
    )


@lru_cache(maxsize=256)
def _regressors(labels: tuple[str, ...], before: int, after: int) -> np.ndarray:
    """The regressors' values (read-only: cached for the months and window)."""
    keys = [(p.year, p.sub) for p in months(labels, "calendar_regressors")]
    means = _means(before, after)
    rows = []
    for year, month in keys:
        pre, week, post = festival_shares(year, before, after)
        shares = (week[month - 1], pre[month - 1], post[month - 1]) if month <= 3 else (0, 0, 0)
        rows.append(np.array([*shares, working_days(year, month)], float) - means[month - 1])
    out = np.array(rows, dtype=float).reshape(len(keys), len(COLUMNS))
    out.flags.writeable = False
    return out
