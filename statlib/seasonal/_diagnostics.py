"""What a statistician checks after an adjustment: residual seasonality, the festival's test,
the January–February irregular against other months', and revisions as months are added."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from statlib._threads import one_blas_thread
from statlib.errors import ConfigError

__all__ = ["diagnostics", "festival_months", "jan_feb_ratio", "revisions"]

FESTIVAL_MONTHS = ("01", "02", "03")


def _log_or_level(result: pd.DataFrame, column: str) -> pd.Series:
    x = result[column].astype(float)
    return x.transform(np.log) if result.attrs.get("mode") == "multiplicative" else x


def jan_feb_ratio(irregular: pd.Series) -> float:
    """Standard deviation of the irregular in January and February over that of other months.

    >>> s = pd.Series([2.0, -2.0] + [1.0, -1.0] * 5,
    ...               index=[f"2018-{m:02d}" for m in range(1, 13)])
    >>> round(jan_feb_ratio(s), 2)
    2.68
    """
    jf = irregular.index.str[5:].isin(["01", "02"])
    return float(np.std(irregular[jf], ddof=1) / np.std(irregular[~jf], ddof=1))


def festival_months(adjusted: pd.Series, skip: Sequence[str] = ()) -> dict[str, float]:
    """Month-on-month change (%) of an adjusted series: the largest in absolute value among
    January–March, and the range of the other months' changes; changes into and out of the
    months ``skip`` (e.g. additive outliers) left out.

    >>> s = pd.Series([100.0, 101, 102, 103, 99, 100],
    ...               index=["2018-01", "2018-02", "2018-03", "2018-04", "2018-05", "2018-06"])
    >>> {k: round(v, 2) for k, v in festival_months(s).items()}  # doctest: +NORMALIZE_WHITESPACE
    {'festival_min': 0.99, 'festival_max': 1.0, 'festival_max_abs': 1.0,
     'other_min': -3.88, 'other_max': 1.01}
    """
    mom = adjusted.astype(float).pct_change().dropna() * 100
    if skip:  # changes into and out of the months ``skip``
        labels = list(adjusted.index)
        after = {labels[i + 1] for i, label in enumerate(labels[:-1]) if label in skip}
        mom = mom[~mom.index.isin([*skip, *after])]
    fest = mom.index.str[5:].isin(FESTIVAL_MONTHS)
    return {
        "festival_min": float(mom[fest].min()),
        "festival_max": float(mom[fest].max()),
        "festival_max_abs": float(mom[fest].abs().max()),
        "other_min": float(mom[~fest].min()),
        "other_max": float(mom[~fest].max()),
    }


def _by_month(x: pd.Series) -> list[np.ndarray]:
    months = x.index.str[5:]
    return [x[months == m].to_numpy() for m in sorted(set(months))]


def diagnostics(result: pd.DataFrame, *, exclude_outliers: bool = True) -> dict[str, Any]:
    """Tests of an :func:`~statlib.seasonal.adjust` result, as a dict.

    - ``residual_seasonality``: Kruskal–Wallis and one-way F test of the months on the
      irregular and on the adjusted series' month-on-month changes (X-13's tests of residual
      seasonality); a p-value below 0.05 says seasonality is left.
    - ``festival``: the Spring Festival regressors' coefficients and t-statistics.
    - ``jan_feb_sd_ratio``: irregular SD of January–February over other months'.
    - ``festival_mom``: :func:`festival_months` of the adjusted series.

    The last two leave out the months of the additive outliers the RegARIMA found or was
    given (``exclude_outliers``, X-13's practice of judging the irregular without its extreme
    values): an outlier stays in the irregular and the adjusted series by convention, and a
    month like 2020-02 would otherwise say more about the epidemic than about the festival.
    ``excluded`` names those months.
    """
    if "irregular" not in result or "adjusted" not in result:
        raise ConfigError("diagnostics: give the DataFrame that seasonal.adjust returned")
    irregular = _log_or_level(result, "irregular")
    adjusted = _log_or_level(result, "adjusted")
    tests: dict[str, dict[str, float]] = {}
    for name, x in (("irregular", irregular), ("adjusted_changes", adjusted.diff().dropna())):
        groups = _by_month(x)
        kw = stats.kruskal(*groups)
        f = stats.f_oneway(*groups)
        tests[name] = {
            "kruskal_h": float(kw.statistic),
            "kruskal_p": float(kw.pvalue),
            "f": float(f.statistic),
            "f_p": float(f.pvalue),
        }
    coefs = result.attrs.get("coefficients", {})
    skip = (
        [o[2:] for o in result.attrs.get("outliers", []) if o.startswith("AO")]
        if exclude_outliers
        else []
    )
    kept = irregular[~irregular.index.isin(skip)]
    return {
        "residual_seasonality": tests,
        "festival": {k: v for k, v in coefs.items() if k.startswith("spring_festival")},
        "working_days": coefs.get("working_days"),
        "jan_feb_sd_ratio": jan_feb_ratio(kept),
        "festival_mom": festival_months(result["adjusted"], skip),
        "excluded": skip,
    }


@one_blas_thread
def revisions(series: pd.Series, last: int = 12, **options: Any) -> pd.DataFrame:
    """How much adjusted values move when months are added.

    For each of the ``last`` months, the adjusted value when that month was the newest
    (``concurrent``) against the one from the whole series (``final``); ``revision`` in % of
    the final value. ``attrs["mean_abs_revision"]`` is the mean absolute revision (%).
    ``options`` go to :func:`~statlib.seasonal.adjust`.
    """
    from statlib.seasonal._adjust import adjust

    if not isinstance(last, int) or last < 1:
        raise ConfigError(f"revisions: last must be a whole number of months ≥ 1, got {last!r}")
    values = series.sort_index()
    final = adjust(values, **options)["adjusted"]
    ends = [str(p) for p in values.index[-last:]]
    rows = []
    for end in ends:
        now = adjust(values[values.index.astype(str) <= end], **options)["adjusted"]
        rows.append((end, float(now.iloc[-1]), float(final[end])))
    out = pd.DataFrame(rows, columns=["period", "concurrent", "final"]).set_index("period")
    out["revision"] = (out["final"] - out["concurrent"]) / out["final"] * 100
    out.attrs["mean_abs_revision"] = float(out["revision"].abs().mean())
    return out
