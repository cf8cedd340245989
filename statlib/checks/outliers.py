"""The Hidiroglou–Berthelot (HB) rule: outlying period-to-period changes among many units.

For each unit i with a current value y_t and a previous value y_{t−1} (TRUST.md §2):

    r_i  = y_t / y_{t−1}                                   ratio
    s_i  = 1 − med/r_i   if r_i < med   else   r_i/med − 1    centred ratio (med = median of r)
    E_i  = s_i · max(y_t, y_{t−1})^U                        effect: large units weigh more
    dQ1  = max(Q2 − Q1, |A·Q2|),  dQ3 = max(Q3 − Q2, |A·Q2|)  (Q1, Q2, Q3: quartiles of E)
    flag when E_i < Q2 − C·dQ1  or  E_i > Q2 + C·dQ3

with U = 0.5, A = 0.05, C = 4 by default. The centring makes a halving and a doubling equally far
from the median; U between 0 and 1 lets a large unit's change count more than a small one's; A
keeps the bounds from collapsing when most units change alike (quartiles close together).

Because E is centred (units below the median ratio have E < 0, units above E > 0), Q1 ≤ 0 ≤ Q3
in practice and Q2 − Q1 ≥ |Q2| whenever the ratios are distinct, so the |A·Q2| floor rarely binds
here; it is kept exactly as specified and tested through :func:`hb_bounds`.

Quartiles are pandas' default (linear interpolation between order statistics, Hyndman–Fan type 7,
the same as R's ``quantile`` default). Units whose ratio is undefined (a value missing, zero or
negative in either period) are reported with ``valid = False`` and never flagged; they take no
part in the median and quartiles.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from statlib.errors import ConfigError

__all__ = ["COLUMNS", "hb_bounds", "hidiroglou_berthelot"]

COLUMNS = [
    "current",
    "previous",
    "valid",
    "ratio",
    "centred",
    "effect",
    "lower",
    "upper",
    "flag",
]


def hidiroglou_berthelot(
    current: pd.Series,
    previous: pd.Series,
    U: float = 0.5,
    A: float = 0.05,
    C: float = 4.0,
) -> pd.DataFrame:
    """Flag outlying changes from ``previous`` to ``current`` by the Hidiroglou–Berthelot rule.

    ``current`` and ``previous`` are aligned on their index (the unit: a county code, a unit id,
    an indicator); a unit present in only one of them is reported as not valid. Returns one row
    per unit with the columns ``current``, ``previous``, ``valid``, ``ratio`` (r), ``centred``
    (s), ``effect`` (E), ``lower`` and ``upper`` (the bounds, equal for all rows) and ``flag``
    (bool). The median ratio and the quartiles of E are in ``result.attrs`` (``median_ratio``,
    ``q1``, ``q2``, ``q3``, ``dq1``, ``dq3``).

    >>> cur = pd.Series({"a": 110.0, "b": 105.0, "c": 98.0, "d": 300.0, "e": 102.0})
    >>> prev = pd.Series({"a": 100.0, "b": 100.0, "c": 100.0, "d": 100.0, "e": 100.0})
    >>> hidiroglou_berthelot(cur, prev)["flag"].tolist()
    [False, False, False, True, False]
    """
    for name, value, low, high in (("U", U, 0.0, 1.0), ("A", A, 0.0, 1.0), ("C", C, 0.0, None)):
        if not isinstance(value, int | float) or isinstance(value, bool) or not np.isfinite(value):
            raise ConfigError(f"hidiroglou_berthelot: {name} must be a number, got {value!r}")
        if value < low or (high is not None and value > high):
            and_high = f" and {high}" if high is not None else ""
            raise ConfigError(
                f"hidiroglou_berthelot: {name} must lie between {low}{and_high}, got {value!r} "
                "(usual: U = 0.5, A = 0.05, C = 4)"
            )
    for name, given in (("current", current), ("previous", previous)):
        if not isinstance(given, pd.Series):
            raise ConfigError(
                f"hidiroglou_berthelot: {name} must be a pandas Series indexed by unit, "
                f"got {type(given).__name__}"
            )
    index = current.index.union(previous.index, sort=False)
    try:
        y_t = current.reindex(index).astype(float)
        y_p = previous.reindex(index).astype(float)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"hidiroglou_berthelot: values must be numbers ({exc})") from None
    valid = y_t.notna() & y_p.notna() & (y_t > 0) & (y_p > 0)
    out = pd.DataFrame({"current": y_t, "previous": y_p, "valid": valid}, index=index)
    ratio = (y_t / y_p).where(valid)
    out["ratio"] = ratio
    stats = {
        "median_ratio": np.nan,
        "q1": np.nan,
        "q2": np.nan,
        "q3": np.nan,
        "dq1": np.nan,
        "dq3": np.nan,
    }
    if valid.sum() == 0:
        out["centred"] = out["effect"] = out["lower"] = out["upper"] = np.nan
        out["flag"] = False
        out.attrs.update(stats)
        return out[COLUMNS]
    med = float(ratio[valid].median())
    centred = pd.Series(np.where(ratio < med, 1 - med / ratio, ratio / med - 1), index=index)
    centred = centred.where(valid)
    # a numpy ufunc of two Series is a Series (__array_ufunc__), which the stubs cannot express
    larger = cast(pd.Series, np.maximum(y_t, y_p))
    effect = centred * larger.where(valid) ** U
    bounds = hb_bounds(effect[valid], A=A, C=C)
    lower, upper = bounds["lower"], bounds["upper"]
    out["centred"] = centred
    out["effect"] = effect
    out["lower"] = lower
    out["upper"] = upper
    out["flag"] = (valid & ((effect < lower) | (effect > upper))).astype(bool)
    stats.update(median_ratio=med, **{k: bounds[k] for k in ("q1", "q2", "q3", "dq1", "dq3")})
    out.attrs.update(stats)
    return out[COLUMNS]


def hb_bounds(effect: pd.Series, A: float = 0.05, C: float = 4.0) -> dict[str, float]:
    """Quartiles of the effects and the acceptance interval of the HB rule.

    ``dq1 = max(q2 − q1, |A·q2|)``, ``dq3 = max(q3 − q2, |A·q2|)``,
    ``lower = q2 − C·dq1``, ``upper = q2 + C·dq3`` (quartiles by linear interpolation).

    >>> b = hb_bounds(pd.Series([10.0, 10.1, 10.2, 10.3, 10.4]))
    >>> round(b["dq1"], 6), round(b["lower"], 6), round(b["upper"], 6)
    (0.51, 8.16, 12.24)
    """
    values = pd.Series(effect, dtype=float).dropna()
    if values.empty:
        raise ConfigError("hb_bounds: no effects to take quartiles of")
    q1, q2, q3 = (float(values.quantile(q)) for q in (0.25, 0.5, 0.75))
    dq1 = max(q2 - q1, abs(A * q2))
    dq3 = max(q3 - q2, abs(A * q2))
    return {
        "q1": q1,
        "q2": q2,
        "q3": q3,
        "dq1": dq1,
        "dq3": dq3,
        "lower": q2 - C * dq1,
        "upper": q2 + C * dq3,
    }
