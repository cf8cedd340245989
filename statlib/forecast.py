"""Short-term projection (ETS, ARIMA) and seasonal adjustment (STL) of monthly or quarterly series.

The models come from statsmodels; this module prepares the series, names the periods and says the
uncertainty in words a leader reads (CONVENTIONS §1: ``～`` for numeric ranges):

    按模型测算，12月份规模以上工业增加值增速预计在5.1%～9.8%之间（95%预测区间），不确定性较大。

Series are pandas Series indexed by periods as the store gives them (``2023-11``, ``2023Q3``),
without gaps. Cumulative indicators have no January figure (1—2月 is published combined):
:func:`monthly_from_combined` fills January from the combined February first, and says how.

- :func:`project` — point projection and prediction interval, ``horizon`` periods ahead, by
  ``method="ets"`` (``ETSModel``: additive error, additive damped trend, additive seasonality when
  ``seasonal=True``) or ``method="arima"`` (``ARIMA``, default order (1, 1, 0) with drift). It
  returns a :class:`Projection` (a DataFrame: ``mean``, ``lower``, ``upper``) whose
  ``plain_statement()`` writes the sentence above.
- :func:`seasonal_adjust` — STL (robust LOESS) into trend, seasonal and remainder, with the
  seasonally adjusted series ``adjusted = observed − seasonal``.
- :func:`turning_points` — peaks and troughs of a (smoothed) series.

Projections extrapolate the history only: they know nothing of policy, new plants coming on line
or price shocks, and the statement says so.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from statlib import periods
from statlib.errors import ConfigError
from statlib.measures import fmt

__all__ = [
    "Projection",
    "monthly_from_combined",
    "project",
    "seasonal_adjust",
    "turning_points",
]

METHODS = ("ets", "arima")
_FREQ = {"M": 12, "Q": 4}


class Projection(pd.DataFrame):
    """Projected periods (index ``2023-12`` …) with ``mean``, ``lower``, ``upper``.

    ``attrs`` keep the method, level, unit and indicator name; :meth:`plain_statement` says the
    result and its uncertainty in Chinese.
    """

    @property
    def _constructor(self) -> type[Projection]:
        return Projection

    def plain_statement(
        self,
        subject: str | None = None,
        *,
        step: int = -1,
        wide: float | None = None,
        moderate: float | None = None,
        caveat: bool = True,
    ) -> str:
        """The projection of one step (default: the last) and its uncertainty in words.

        ``subject`` is what is projected (``"规模以上工业增加值增速"``; default from ``attrs``).
        Rates (unit ``%``) are phrased ``在5.1%～9.8%之间``, across zero
        ``在下降1.2%～增长3.4%之间``; levels ``在X～Y亿元之间``. The uncertainty word comes
        from the interval's width: for
        rates ≥ ``wide`` (4) percentage points → ``不确定性较大``, ≥ ``moderate`` (2) →
        ``存在一定不确定性``, else ``不确定性较小``; for levels the same words at 20% and 10%
        of the point value.
        """
        attrs = self.attrs
        if self.empty:
            raise ConfigError("plain_statement: the projection is empty")
        row = self.iloc[step]
        period = str(self.index[step])
        unit = attrs.get("unit", "%")
        rate = unit == "%"
        decimals = int(attrs.get("decimals", 1))
        subject = subject if subject is not None else attrs.get("name", "")
        last = attrs.get("last_period")
        p = periods.parse(period)
        with_year = last is not None and p.year != periods.parse(last).year
        when = p.label(cumulative=attrs.get("cumulative", False), with_year=with_year)
        level_pct = fmt(attrs.get("level", 0.95) * 100, 0)
        low, high, mean = float(row["lower"]), float(row["upper"]), float(row["mean"])
        width = high - low
        if rate:
            text = _rate_range(low, high, decimals)
            wide = 4.0 if wide is None else wide
            moderate = 2.0 if moderate is None else moderate
            size = width
        else:
            text = f"在{fmt(low, decimals)}～{fmt(high, decimals)}{unit}之间"
            wide = 20.0 if wide is None else wide
            moderate = 10.0 if moderate is None else moderate
            size = width / abs(mean) * 100 if mean else np.inf
        if size >= wide:
            words = "不确定性较大"
        elif size >= moderate:
            words = "存在一定不确定性"
        else:
            words = "不确定性较小"
        point = _rate_word(mean, decimals) if rate else f"{fmt(mean, decimals)}{unit}"
        sentence = (
            f"按模型测算，{when}{subject}预计{text}（{level_pct}%预测区间），中值{point}，{words}"
        )
        if caveat:
            sentence += "；模型仅依据历史走势外推，未考虑政策调整、重大项目投产等因素"
        return sentence + "。"


def _rate_word(x: float, decimals: int) -> str:
    from statlib.phrase import growth

    return f"为{growth(x, decimals=decimals, times_from=None)}"


def _rate_range(low: float, high: float, decimals: int) -> str:
    """``在5.1%～9.8%之间``; across zero ``在下降1.2%～增长3.4%之间``; below zero
    ``在下降1.2%～3.4%之间``.

    Prose never carries a minus sign (CONVENTIONS §2).
    """
    lo, hi = float(fmt(low, decimals)), float(fmt(high, decimals))
    if lo >= 0:
        return f"在{fmt(lo, decimals)}%～{fmt(hi, decimals)}%之间"
    if hi <= 0:
        return f"在下降{fmt(-hi, decimals)}%～{fmt(-lo, decimals)}%之间"
    return f"在下降{fmt(-lo, decimals)}%～增长{fmt(hi, decimals)}%之间"


def _period_index(series: pd.Series, func: str) -> pd.PeriodIndex:
    if not isinstance(series, pd.Series):
        raise ConfigError(f"{func}: series must be a pandas Series indexed by period ('2023-11')")
    try:
        parsed = [periods.parse(str(p)) for p in series.index]
    except ConfigError as exc:
        raise ConfigError(f"{func}: the index must hold periods like '2023-11': {exc}") from None
    freqs = {p.freq for p in parsed}
    if len(freqs) != 1 or next(iter(freqs)) not in _FREQ:
        raise ConfigError(f"{func}: the series must be monthly or quarterly, one frequency only")
    index = pd.PeriodIndex([p.to_pandas() for p in parsed])
    full = pd.period_range(index.min(), index.max(), freq=index.freq)
    if len(full) != len(index) or not (index.sort_values() == full).all():
        missing = sorted(set(full) - set(index))[:3]
        hint = (
            "; a cumulative indicator lacks January: fill it with monthly_from_combined()"
            if any(m.freqstr.startswith("M") and m.month == 1 for m in missing)
            else ""
        )
        raise ConfigError(
            f"{func}: the series has gaps (missing {', '.join(map(str, missing))}…){hint}"
        )
    return index


def _clean(series: pd.Series, func: str, min_length: int) -> tuple[pd.Series, str]:
    index = _period_index(series, func)
    values = pd.Series(series.to_numpy(dtype=float), index=index).sort_index()
    if values.isna().any():
        raise ConfigError(
            f"{func}: the series has missing values at "
            f"{', '.join(map(str, values.index[values.isna()][:3]))}; fill or cut them first"
        )
    if len(values) < min_length:
        raise ConfigError(f"{func}: needs at least {min_length} periods of data, got {len(values)}")
    return values, index.freqstr[0]


def _label(p: pd.Period) -> str:
    return str(periods.Period.from_pandas(p))


def monthly_from_combined(series: pd.Series, kind: str = "rate") -> pd.Series:
    """Fill the January that cumulative indicators lack from the combined 1—2月 (February) value.

    ``kind="rate"`` (a growth rate of 1—2月): January and February both take the combined rate.
    ``kind="level"`` (a current-month level where February holds January + February): the
    combined level is split in two equal halves. Months other than January are kept.

    >>> s = pd.Series([10.0, 6.0], index=["2023-02", "2023-03"])
    >>> monthly_from_combined(s, "level").to_dict()
    {'2023-01': 5.0, '2023-02': 5.0, '2023-03': 6.0}
    """
    if kind not in ("rate", "level"):
        raise ConfigError(f"monthly_from_combined: kind must be 'rate' or 'level', got {kind!r}")
    out: dict[str, float] = {}
    for label, value in series.items():
        p = periods.parse(str(label))
        if p.freq != "M":
            raise ConfigError("monthly_from_combined: the series must be monthly ('2023-02')")
        january = str(periods.Period(p.year, "M", 1))
        if p.sub == 2 and january not in series.index:
            value = value / 2 if kind == "level" else value
            out[january] = float(value)
        out[str(p)] = float(value)
    return pd.Series(out, name=series.name).sort_index()


def project(
    series: pd.Series,
    horizon: int = 3,
    method: str = "ets",
    *,
    level: float = 0.95,
    seasonal: bool = False,
    order: tuple[int, int, int] = (1, 1, 0),
    name: str = "",
    unit: str = "%",
    decimals: int = 1,
    cumulative: bool = False,
) -> Projection:
    """Project ``horizon`` periods ahead with a prediction interval at ``level``.

    ``method="ets"``: ``ETSModel(error="add", trend="add", damped_trend=True)``, with additive
    seasonality of period 12 (4) when ``seasonal`` — for levels; growth rates year on year carry
    no seasonality. ``method="arima"``: ``ARIMA(order)``, with a drift term when d = 1 and a
    constant when d = 0. ``name``, ``unit``, ``decimals`` and ``cumulative`` (the periods' labels)
    are kept for :meth:`Projection.plain_statement`.
    """
    if method not in METHODS:
        raise ConfigError(f"project: method must be 'ets' or 'arima', got {method!r}")
    if not isinstance(horizon, int) or isinstance(horizon, bool) or not 1 <= horizon <= 24:
        raise ConfigError(
            f"project: horizon must be a whole number of periods 1–24, got {horizon!r}"
        )
    if not 0 < level < 1:
        raise ConfigError(f"project: level must be between 0 and 1 (e.g. 0.95), got {level!r}")
    values, freq = _clean(series, "project", 8)
    m = _FREQ[freq]
    if seasonal and len(values) < 2 * m + 2:
        raise ConfigError(f"project: seasonal models need at least {2 * m + 2} periods")
    alpha = 1 - level
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter of small samples
        if method == "ets":
            from statsmodels.tsa.exponential_smoothing.ets import ETSModel

            model = ETSModel(
                values,
                error="add",
                trend="add",
                damped_trend=True,
                seasonal="add" if seasonal else None,
                seasonal_periods=m if seasonal else None,
            )
            fit: Any = model.fit(disp=False)
            frame = fit.get_prediction(
                start=len(values), end=len(values) + horizon - 1
            ).summary_frame(alpha=alpha)
            mean, lower, upper = frame["mean"], frame["pi_lower"], frame["pi_upper"]
        else:
            from statsmodels.tsa.arima.model import ARIMA

            trend = "t" if order[1] == 1 else ("c" if order[1] == 0 else "n")
            sorder = (1, 0, 0, m) if seasonal else (0, 0, 0, 0)
            fit = ARIMA(values, order=order, seasonal_order=sorder, trend=trend).fit()
            frame = fit.get_forecast(horizon).summary_frame(alpha=alpha)
            mean, lower, upper = frame["mean"], frame["mean_ci_lower"], frame["mean_ci_upper"]
    last: pd.Period = values.index[-1]
    future = pd.period_range(last + 1, periods=horizon, freq=last.freq)
    out = Projection(
        {
            "mean": np.asarray(mean, float),
            "lower": np.asarray(lower, float),
            "upper": np.asarray(upper, float),
        },
        index=pd.Index([_label(p) for p in future], name="period"),
    )
    out.attrs.update(
        method=method,
        level=level,
        unit=unit,
        name=name,
        decimals=decimals,
        cumulative=cumulative,
        last_period=_label(values.index[-1]),
        model=type(fit.model).__name__,
    )
    return out


def seasonal_adjust(series: pd.Series, *, robust: bool = True) -> pd.DataFrame:
    """STL decomposition: ``observed``, ``trend``, ``seasonal``, ``resid``, ``adjusted``.

    Period 12 for months, 4 for quarters; at least two full years. ``robust`` LOESS keeps a
    single odd month (a strike, a plant's shutdown) out of the trend and seasonal factors.
    """
    from statsmodels.tsa.seasonal import STL

    values, freq = _clean(series, "seasonal_adjust", 2 * _FREQ[freq_of(series)] + 1)
    result = STL(values, period=_FREQ[freq], robust=robust).fit()
    out = pd.DataFrame(
        {
            "observed": values.to_numpy(),
            "trend": np.asarray(result.trend),
            "seasonal": np.asarray(result.seasonal),
            "resid": np.asarray(result.resid),
        },
        index=pd.Index([_label(p) for p in values.index], name="period"),
    )
    out["adjusted"] = out["observed"] - out["seasonal"]
    return out


def freq_of(series: pd.Series) -> str:
    """``"M"`` or ``"Q"``: the frequency of a series indexed by periods."""
    return _period_index(series, "freq_of").freqstr[0]


def turning_points(series: pd.Series, min_change: float = 0.0) -> pd.DataFrame:
    """Peaks (峰) and troughs (谷) of a (smoothed) series, by the zigzag rule.

    A peak is the highest point of a rise after which the series falls by more than
    ``min_change`` (in the series' unit) before rising above it again; a trough likewise. The
    first and last periods are never turns (the move before or after them is unknown). Returns
    rows ``period``, ``kind`` and ``value``.

    >>> s = pd.Series([1.0, 2, 3, 2, 1, 2], index=[f"2023-{m:02d}" for m in range(2, 8)])
    >>> turning_points(s)[["period", "kind"]].values.tolist()
    [['2023-04', '峰'], ['2023-06', '谷']]
    >>> turning_points(s, min_change=1.5)[["period", "kind"]].values.tolist()
    [['2023-04', '峰']]
    """
    values = series.astype(float).dropna()
    x = values.to_numpy()
    labels = [str(i) for i in values.index]
    rows: list[tuple[str, str, float]] = []
    trend, hi, lo, cand = 0, 0, 0, 0
    for i in range(1, len(x)):
        if trend == 0:
            hi = i if x[i] > x[hi] else hi
            lo = i if x[i] < x[lo] else lo
            if x[hi] - x[lo] > min_change:
                trend, cand = (1, hi) if hi > lo else (-1, lo)
        elif trend == 1:
            if x[i] >= x[cand]:
                cand = i
            elif x[cand] - x[i] > min_change:
                rows.append((labels[cand], "峰", float(x[cand])))
                trend, cand = -1, i
        else:
            if x[i] <= x[cand]:
                cand = i
            elif x[i] - x[cand] > min_change:
                rows.append((labels[cand], "谷", float(x[cand])))
                trend, cand = 1, i
    return pd.DataFrame(rows, columns=["period", "kind", "value"])
