"""Short-term projection of monthly or quarterly LEVELS, and the growth they imply.

A bureau projects what it publishes: the current-period level (当月值, from the cumulative one by
``measures.current_from_cumulative``), then the growth against the level published a year
earlier, and says the uncertainty in words a leader reads (CONVENTIONS §1: ``～`` for ranges):

    按模型测算，12月份规模以上工业增加值当月增速预计在5.1%～9.8%之间（95%预测区间），…

- :func:`project_level` — a regression with seasonal ARIMA errors (statsmodels ``SARIMAX``) on
  the log levels of the PUBLISHED periods: a series published as 1—2月 combined has no January,
  so none is fitted or forecast and the horizon counts published periods. Regressors: the
  Spring Festival and working days (``statlib.seasonal.calendar_regressors``) and explicit
  outliers (:data:`DEFAULT_OUTLIERS`: the 2020 collapse, so that 2021's rebound, a base effect,
  is not learned as dynamics; the caller can pass its own).
- :func:`project_growth` — the growth (同比) of the projected level over the published level a
  year earlier; ``cumulative=True``: of the cumulated levels (1—X月) over the same months.
- :func:`comparable_levels` — levels at the first year's prices from published real growth, so
  the growth projected is at comparable prices.
- :class:`Projection` — ``mean`` (the median), ``lower``, ``upper`` of the prediction interval
  (预测区间) at ``attrs["level"]``; ``plain_statement()`` writes the sentence above.
- :func:`published_periods`, :func:`turning_points` (peaks and troughs of a smoothed series).

Projections extrapolate the history only: they know nothing of policy, new plants coming on line
or price shocks, and the statement says so. Seasonal adjustment lives in :mod:`statlib.seasonal`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from statlib import periods
from statlib._threads import one_blas_thread
from statlib.errors import ConfigError
from statlib.measures import fmt

__all__ = [
    "DEFAULT_OUTLIERS",
    "Outlier",
    "Projection",
    "comparable_levels",
    "project_growth",
    "project_level",
    "published_periods",
    "turning_points",
]


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
        when = self.label(period, with_year=with_year)
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

    def label(self, period: str, *, with_year: bool = False) -> str:
        """The Chinese label of a projected period: ``12月份``, ``1—11月``; the February of a
        series published as 1—2月 combined reads ``1—2月``.

        >>> p = Projection({"mean": [1.0]}, index=["2024-02"])
        >>> p.attrs.update(combined=True)
        >>> p.label("2024-02", with_year=True)
        '2024年1—2月'
        """
        p = periods.parse(period)
        combined = bool(self.attrs.get("combined")) and p.freq == "M" and p.sub == 2
        return p.label(
            cumulative=bool(self.attrs.get("cumulative")) or combined, with_year=with_year
        )


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


# --- levels: regression with seasonal ARIMA errors on the published periods ----------------------


@dataclass(frozen=True)
class Outlier:
    """An intervention at one published period of a level series, as a regressor.

    ``kind``: ``"AO"`` additive outlier (that period only), ``"TC"`` temporary change (the
    effect decays by :data:`TC_DECAY` a period), ``"LS"`` level shift (from that period on).
    """

    period: str
    kind: str = "AO"


# The 2020 epidemic: the 1—2月 collapse as an additive outlier, March's shortfall as a temporary
# change fading over the spring. Held as regressors, the 2020 trough is not learned as seasonal
# pattern or dynamics, so the 2021 rebound (a base effect) does not carry into the forecast.
DEFAULT_OUTLIERS: tuple[Outlier, ...] = (Outlier("2020-02", "AO"), Outlier("2020-03", "TC"))
TC_DECAY = 0.7
_KINDS = ("AO", "TC", "LS")


def published_periods(after: str | periods.Period, horizon: int, combined: bool) -> list[str]:
    """The ``horizon`` periods published after ``after``: January is skipped when the series is
    published as 1—2月 combined (its February holds both months).

    >>> published_periods("2023-11", 3, combined=True)
    ['2023-12', '2024-02', '2024-03']
    >>> published_periods("2023Q4", 2, False)
    ['2024Q1', '2024Q2']
    """
    p = periods.parse(after)
    out: list[str] = []
    q = p.to_pandas()
    while len(out) < horizon:
        q += 1
        nxt = periods.Period.from_pandas(q)
        if not (combined and nxt.freq == "M" and nxt.sub == 1):
            out.append(str(nxt))
    return out


Outliers = Sequence[Outlier | tuple[str, str] | str]


def comparable_levels(levels: pd.Series, growth: pd.Series) -> pd.Series:
    """Current-period levels at the prices of the first year: that year's published levels,
    then each period's level a year earlier × (1 + its published real growth / 100).

    Their growth over a year is the published growth at comparable prices (按可比价格计算), so
    :func:`project_growth` of them projects real growth, not nominal. ``growth`` must cover
    every period after the first year that ``levels`` has.

    >>> lv = pd.Series([10.0, 6.0, 11.0, 7.0], index=["2022-02", "2022-03", "2023-02", "2023-03"])
    >>> g = pd.Series([5.0, 10.0], index=["2023-02", "2023-03"])
    >>> comparable_levels(lv, g).round(2).to_dict()
    {'2022-02': 10.0, '2022-03': 6.0, '2023-02': 10.5, '2023-03': 6.6}
    """
    keys = sorted(periods.parse(str(p)) for p in levels.index)
    rates = {str(periods.parse(str(p))): float(v) for p, v in growth.items()}
    out: dict[str, float] = {}
    for p in keys:
        if p.year == keys[0].year:
            out[str(p)] = float(levels[str(p)])
            continue
        before = str(p.same_period_last_year())
        if str(p) not in rates or np.isnan(rates[str(p)]) or before not in out:
            raise ConfigError(
                f"comparable_levels: {p} needs its published growth and the level of {before}; "
                "give the growth of every period after the first year"
            )
        out[str(p)] = out[before] * (1 + rates[str(p)] / 100)
    return pd.Series(out, name=levels.name)


@dataclass
class _Model:
    """A fitted level model: the published periods, their levels, the fit, the future exog."""

    history: list[periods.Period]
    values: np.ndarray
    future: list[str]
    result: Any
    exog: np.ndarray | None
    attrs: dict[str, Any]

    def levels(self, level: float) -> np.ndarray:
        """Median, lower and upper projected levels (rows), back from logs when fitted on logs."""
        f = self.result.get_forecast(len(self.future), exog=self.exog)
        mean = np.asarray(f.predicted_mean, float)
        half = _z(level) * np.sqrt(np.asarray(f.var_pred_mean, float))
        out = np.vstack([mean, mean - half, mean + half])
        return np.exp(out) if self.attrs["log"] else out


def _levels(
    series: pd.Series, func: str, combined: bool | None, log: bool
) -> tuple[list[periods.Period], np.ndarray, bool]:
    """The published periods of a monthly or quarterly level series, checked for gaps."""
    if not isinstance(series, pd.Series) or series.empty:
        raise ConfigError(f"{func}: series must be a pandas Series indexed by period ('2023-11')")
    try:
        by_key = {periods.parse(str(p)): float(v) for p, v in series.items()}
    except (ConfigError, TypeError, ValueError) as exc:
        raise ConfigError(f"{func}: the index must hold periods like '2023-11': {exc}") from None
    keys = sorted(by_key)
    if {p.freq for p in keys} not in ({"M"}, {"Q"}) or len(keys) != len(series):
        raise ConfigError(
            f"{func}: the series must be monthly or quarterly (one frequency), each period once"
        )
    if combined is None:
        combined = keys[0].freq == "M" and not any(p.sub == 1 for p in keys)
    if combined and any(p.freq != "M" or p.sub == 1 for p in keys):
        raise ConfigError(
            f"{func}: combined=True is for a monthly series published as 1—2月 (in February) "
            "without January; this one has a January or is not monthly"
        )
    expected = [keys[0], *map(periods.parse, published_periods(keys[0], len(keys) - 1, combined))]
    if keys != expected:
        missing = sorted(set(expected) - set(keys))[:3] or keys[:1]
        raise ConfigError(
            f"{func}: the series has gaps (missing {', '.join(map(str, missing))}); give every "
            "published period" + ("" if combined else " (1—2月 combined: no January at all)")
        )
    x = np.array([by_key[p] for p in keys])
    if np.isnan(x).any():
        raise ConfigError(f"{func}: the series has missing values; fill or cut them first")
    if log and (x <= 0).any():
        raise ConfigError(f"{func}: log=True needs positive levels; pass log=False")
    return keys, x, combined


def _calendar(keys: list[periods.Period], combined: bool) -> pd.DataFrame:
    """Spring Festival and working-day regressors summed over each published period's months
    (1—2月 combined: January and February)."""
    from statlib import seasonal

    owner: dict[str, str] = {}
    for p in keys:
        first = p.months[0].sub - 1 if combined and p.sub == 2 else p.months[0].sub
        owner.update({f"{p.year}-{m:02d}": str(p) for m in range(first, p.last_month + 1)})
    reg = seasonal.calendar_regressors(list(owner))
    return reg.groupby([owner[str(m)] for m in reg.index], sort=False).sum()


def _interventions(
    outliers: Outliers, keys: list[periods.Period], combined: bool, func: str
) -> dict[str, Any]:
    """Each outlier inside the sample → its regressor over the sample and 24 periods beyond."""
    position = {p: i for i, p in enumerate(keys)}
    out: dict[str, Any] = {}
    for item in outliers:
        text = item.strip() if isinstance(item, str) else ""
        kind = text[:2] if text[:2] in _KINDS else "AO"  # "2020-02" or "LS2020-02"
        o = Outlier(text.removeprefix(kind), kind) if text else item
        o = Outlier(*o) if isinstance(o, tuple) else o
        if not isinstance(o, Outlier) or o.kind not in _KINDS:
            raise ConfigError(
                f"{func}: outliers must be Outlier(period, kind), kind one of "
                f"{', '.join(_KINDS)}; got {item!r}"
            )
        p = periods.parse(o.period, where=f"{func}: outlier")
        if p.freq != keys[0].freq or (combined and p.sub == 1):
            raise ConfigError(
                f"{func}: outlier {o.period} is not a published period of this series "
                "(1—2月 combined is published in February: use YYYY-02)"
            )
        if p in position:  # one outside the sample has nothing to hold
            t = np.arange(len(keys) + 24) - position[p]
            x = {"AO": t == 0, "TC": (t >= 0) * TC_DECAY ** np.maximum(t, 0), "LS": t >= 0}
            out[f"{o.kind}{o.period}"] = (o, np.asarray(x[o.kind], float))
    return out


def _fit(series: pd.Series, func: str, horizon: int, **spec: Any) -> _Model:
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    if not isinstance(horizon, int) or isinstance(horizon, bool) or not 1 <= horizon <= 24:
        raise ConfigError(
            f"{func}: horizon must be a whole number of published periods 1–24, got {horizon!r}"
        )
    _check_level(spec.pop("level"), func)
    for key in ("order", "seasonal_order"):
        o = spec[key]
        if len(o) != 3 or not all(isinstance(k, int) and 0 <= k <= 3 for k in o):
            raise ConfigError(f"{func}: {key} must be three whole numbers 0–3, got {o!r}")
    log = spec["log"]
    keys, x, combined = _levels(series, func, spec["combined"], log)
    s = 4 if keys[0].freq == "Q" else 11 if combined else 12
    if len(keys) < 3 * s:
        raise ConfigError(f"{func}: needs at least three years ({3 * s} periods), got {len(keys)}")
    future = published_periods(keys[-1], horizon, combined)
    outliers = spec["outliers"]
    held = _interventions(DEFAULT_OUTLIERS if outliers is None else outliers, keys, combined, func)
    columns = {name: reg[: len(keys) + horizon] for name, (_, reg) in held.items()}
    if spec["calendar"]:
        cal = _calendar(keys + [periods.parse(f) for f in future], combined)
        columns.update({name: cal[name].to_numpy(float) for name in cal.columns})
    exog = np.column_stack(list(columns.values())) if columns else None
    seasonal_order = (*spec["seasonal_order"], s)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # start-parameter and convergence chatter
        model = SARIMAX(
            np.log(x) if log else x,
            exog=None if exog is None else exog[: len(keys)],
            order=spec["order"],
            seasonal_order=seasonal_order,
        )
        result = model.fit(disp=False)
    coef = dict(zip(columns, np.asarray(result.params)[: len(columns)], strict=True))
    tval = dict(zip(columns, np.asarray(result.tvalues)[: len(columns)], strict=True))
    attrs = {
        "method": "regarima",
        "model": f"SARIMAX{spec['order']}{seasonal_order}",
        "log": log,
        "combined": combined,
        "seasonal_period": s,
        "last_period": str(keys[-1]),
        "outliers": [
            {
                "period": o.period,
                "kind": o.kind,
                "coefficient": float(coef[n]),
                "effect": float(np.expm1(coef[n]) * 100 if log else coef[n]),
                "t": float(tval[n]),
            }
            for n, (o, _) in held.items()
        ],
        "calendar": {n: float(coef[n]) for n in columns if n not in held},
    }
    rest = None if exog is None else exog[len(keys) :]
    return _Model(keys, x, future, result, rest, attrs)


_MODEL_DOC = """
    The model is a regression with seasonal ARIMA errors (statsmodels ``SARIMAX``; by default the
    airline model (0,1,1)(0,1,1)) on the log of the levels (``log=True``: effects multiply, as
    in a growing series) over the PUBLISHED periods: a monthly series without January
    (``combined``, inferred when no January is given) has 11 periods a year, its February the
    1—2月 total, so the seasonal lag is 11 and no January is ever fitted or forecast; the
    horizon counts published periods (after 2023-11: 2023-12, 2024-02, 2024-03). Regressors:
    ``outliers`` (default :data:`DEFAULT_OUTLIERS`, the 2020 collapse; ``()`` for none; those
    outside the sample are left out; each an :class:`Outlier`, a pair ``("2020-03", "TC")`` or
    a string ``"2020-02"`` (AO) or ``"LS2020-02"`` as ``seasonal.adjust`` spells them) and,
    with ``calendar``, the Spring Festival and working days of each published period
    (``statlib.seasonal.calendar_regressors``, every column, summed over its months).
    ``attrs["outliers"]`` records each outlier's coefficient, effect (% of the level when
    ``log``) and t-value; ``attrs["calendar"]`` the calendar coefficients.
    """


@one_blas_thread
def project_level(
    series: pd.Series,
    horizon: int = 3,
    *,
    combined: bool | None = None,
    level: float = 0.95,
    outliers: Outliers | None = None,
    calendar: bool = True,
    log: bool = True,
    order: tuple[int, int, int] = (0, 1, 1),
    seasonal_order: tuple[int, int, int] = (0, 1, 1),
    name: str = "",
    unit: str = "",
    decimals: int = 2,
) -> Projection:
    """Project current-period levels ``horizon`` published periods ahead: the median and the
    prediction interval at ``level`` (back from logs when ``log``)."""
    m = _fit(
        series,
        "project_level",
        horizon,
        level=level,
        combined=combined,
        log=log,
        outliers=outliers,
        calendar=calendar,
        order=order,
        seasonal_order=seasonal_order,
    )
    q = m.levels(level)
    out = Projection(
        {"mean": q[0], "lower": q[1], "upper": q[2]}, index=pd.Index(m.future, name="period")
    )
    out.attrs.update(m.attrs, level=level, unit=unit, name=name, decimals=decimals)
    return out


@one_blas_thread
def project_growth(
    series: pd.Series,
    horizon: int = 3,
    *,
    cumulative: bool = False,
    combined: bool | None = None,
    level: float = 0.95,
    outliers: Outliers | None = None,
    calendar: bool = True,
    log: bool = True,
    order: tuple[int, int, int] = (0, 1, 1),
    seasonal_order: tuple[int, int, int] = (0, 1, 1),
    name: str = "",
    decimals: int = 1,
    simulations: int = 2000,
    seed: int = 0,
) -> Projection:
    """Growth in % (同比) of the projected current-period levels of ``series`` over the
    published level a year earlier; with ``cumulative``, of the cumulated levels (1—X月: this
    year's published periods plus the projected ones) over the same months a year earlier.

    Current-period intervals are the level's over the base; cumulative ones the quantiles of
    ``simulations`` simulated paths (seeded by ``seed``: the same figures every run). Columns
    ``mean``, ``lower``, ``upper`` (%), ``level_mean``, ``level_lower``, ``level_upper`` and
    ``base`` (cumulated when ``cumulative``). A growth needs a published base, so the horizon
    is at most one year of published periods.
    """
    if not isinstance(simulations, int) or isinstance(simulations, bool) or simulations < 200:
        raise ConfigError(
            f"project_growth: simulations must be a whole number ≥ 200, got {simulations!r}"
        )
    m = _fit(
        series,
        "project_growth",
        horizon,
        level=level,
        combined=combined,
        log=log,
        outliers=outliers,
        calendar=calendar,
        order=order,
        seasonal_order=seasonal_order,
    )
    s = m.attrs["seasonal_period"]
    if horizon > s:
        raise ConfigError(
            f"project_growth: horizon {horizon} reaches past a year of published periods; a "
            f"growth needs the published level a year earlier: use at most {s}"
        )
    observed = dict(zip(m.history, m.values, strict=True))
    future = [periods.parse(f) for f in m.future]
    if not cumulative:
        base = np.array([observed[f.same_period_last_year()] for f in future])
        q = m.levels(level)
    else:
        paths = m.result.simulate(
            horizon, anchor="end", repetitions=simulations, exog=m.exog, rng=seed
        )
        paths = np.asarray(paths, float).reshape(horizon, simulations)
        paths = np.exp(paths) if log else paths
        this_year = np.array([[f.year == g.year for g in future] for f in future])
        done = np.array([sum(observed[p] for p in m.history if p.year == f.year) for f in future])
        cum = done[:, None] + np.tril(this_year) @ paths
        base = np.zeros(horizon)
        for k, f in enumerate(future):
            months = [p for p in observed if p.year == f.year - 1 and p.sub <= f.sub]
            if len(months) != f.sub - (1 if m.attrs["combined"] else 0):
                raise ConfigError(
                    f"project_growth: cumulative growth of {f} needs every published level of "
                    f"{f.year - 1} up to {f.same_period_last_year()}; the series starts at "
                    f"{m.history[0]}"
                )
            base[k] = sum(observed[p] for p in months)
        q = np.quantile(cum, [0.5, (1 - level) / 2, (1 + level) / 2], axis=1)
    out = Projection(
        {
            **{col: (q[i] / base - 1) * 100 for i, col in enumerate(("mean", "lower", "upper"))},
            **{f"level_{c}": q[i] for i, c in enumerate(("mean", "lower", "upper"))},
            "base": base,
        },
        index=pd.Index(m.future, name="period"),
    )
    out.attrs.update(
        m.attrs, level=level, unit="%", name=name, decimals=decimals, cumulative=cumulative
    )
    return out


project_level.__doc__ = (project_level.__doc__ or "") + _MODEL_DOC
project_growth.__doc__ = (project_growth.__doc__ or "") + _MODEL_DOC


def _check_level(level: float, func: str) -> None:
    if not isinstance(level, float | int) or isinstance(level, bool) or not 0 < level < 1:
        raise ConfigError(f"{func}: level must be between 0 and 1 (e.g. 0.95), got {level!r}")


def _z(level: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf((1 + level) / 2))


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
