"""Weighted satisfaction estimates from CATI survey microdata (满意度调查).

:func:`satisfaction` turns the long survey frame (``store.survey(survey, year)``: one row per
respondent × item, columns ``respondent_id``, ``region``, ``weight``, ``item``, ``score`` 1–5 or
missing) into estimates by group:

- ``rate``: the weighted satisfaction rate (满意率, %), the weighted share of answers in
  ``satisfied`` (by default 4 比较满意 and 5 非常满意);
- ``score``: the weighted mean score on the 百分制 (0–100), the 1–5 scale mapped linearly
  1 → 0, 2 → 25, 3 → 50, 4 → 75, 5 → 100, i.e. ``(score − 1) / 4 · 100``;
- ``n``: the valid sample size (有效样本), respondents with a non-missing score;
- 95% confidence intervals ``rate_low``/``rate_high`` and ``score_low``/``score_high``, and the
  standard errors ``rate_se``/``score_se`` (for testing a change between years).

Variance: the weights are design weights (inverse inclusion probability, post-stratified), and
their unequal size costs precision. The intervals use ``statsmodels``'
``DescrStatsW`` with the weights rescaled to sum to Kish's effective sample size
n_eff = (Σw)² / Σw², i.e. mean ± t(n_eff − 1) · s_w / √n_eff, where s_w is the weighted standard
deviation. This is the usual approximation for a weighted mean from a single-stage sample without
further design information (no strata or clusters in the file); the rate is the mean of a 0/1
variable, its interval is the same Wald interval, clipped to 0–100.

When ``item`` is not among ``by`` (an overall or district figure over all items), each respondent's
answers are first averaged over the items they answered (综合满意率/综合得分 of the respondent), so
that a respondent counts once and the intervals do not pretend the items are independent.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.weightstats import DescrStatsW

from statlib.errors import ConfigError

__all__ = ["COLUMNS", "kish_effective_n", "satisfaction", "significant", "to_hundred"]

COLUMNS = [
    "n",
    "n_eff",
    "rate",
    "rate_se",
    "rate_low",
    "rate_high",
    "score",
    "score_se",
    "score_low",
    "score_high",
]
_REQUIRED = ("respondent_id", "weight", "score")


def to_hundred(score: float | pd.Series) -> float | pd.Series:
    """A 1–5 score on the 百分制: ``(score − 1) / 4 · 100`` (1 → 0, 3 → 50, 5 → 100).

    >>> to_hundred(1), to_hundred(4), to_hundred(5)
    (0.0, 75.0, 100.0)
    """
    return (score - 1) / 4 * 100


def kish_effective_n(weights: Sequence[float] | pd.Series | np.ndarray) -> float:
    """Kish's effective sample size (Σw)² / Σw²; equals n for equal weights.

    >>> kish_effective_n([1, 1, 1, 1]), round(kish_effective_n([1, 3]), 6)
    (4.0, 1.6)
    """
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w**2).sum())


def significant(now_se: float, before_se: float, difference: float) -> bool:
    """Whether a change between two years lies beyond 1.96 standard errors of the difference
    (independent samples, 95%): ``|difference| > 1.96 · √(se_now² + se_before²)``.

    >>> significant(1.0, 1.0, 2.8), significant(1.0, 1.0, 2.7)
    (True, False)
    """
    return bool(abs(difference) > 1.96 * (now_se**2 + before_se**2) ** 0.5)


def satisfaction(
    frame: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    satisfied: Sequence[int] = (4, 5),
    level: float = 0.95,
) -> pd.DataFrame:
    """Weighted satisfaction rate (%) and 百分制 score with confidence intervals, by group.

    ``by``: ``None`` (one overall row), a column name (``"region"``, ``"item"``) or several.
    Returns one row per group (a plain index for one column, a MultiIndex for several, ``全部``
    for none) with the columns of :data:`COLUMNS`. Groups without a valid answer are left out.

    >>> f = pd.DataFrame({"respondent_id": ["a", "b", "c"], "weight": [1.0, 1.0, 2.0],
    ...                   "item": "x", "score": [5, 3, 4]})
    >>> r = satisfaction(f).iloc[0]
    >>> float(r["rate"]), float(r["score"]), int(r["n"])
    (75.0, 75.0, 3)
    """
    if not 0 < level < 1:
        raise ConfigError(f"satisfaction: level must be between 0 and 1 (e.g. 0.95), got {level!r}")
    if not isinstance(frame, pd.DataFrame):
        raise ConfigError("satisfaction: frame must be the survey DataFrame (store.survey(...))")
    groups = [] if by is None else ([by] if isinstance(by, str) else list(by))
    missing = [c for c in (*_REQUIRED, *groups) if c not in frame.columns]
    if missing:
        raise ConfigError(
            f"satisfaction: the frame lacks column(s) {missing}; pass store.survey(survey, year) "
            f"or name existing columns in by= ({list(frame.columns)})"
        )
    sat = {int(s) for s in satisfied}
    if not sat or not sat <= {1, 2, 3, 4, 5}:
        raise ConfigError(
            f"satisfaction: satisfied must be scores between 1 and 5, e.g. (4, 5), "
            f"got {satisfied!r}"
        )
    data = frame[[*dict.fromkeys(["respondent_id", "weight", "score", *groups])]].copy()
    data["score"] = pd.to_numeric(data["score"], errors="coerce")
    data = data[data["score"].notna()]
    bad = data[~data["score"].isin([1, 2, 3, 4, 5])]
    if not bad.empty:
        raise ConfigError(
            f"satisfaction: scores must be 1–5 or missing; found {bad['score'].iloc[0]!r} "
            f"(respondent {bad['respondent_id'].iloc[0]})"
        )
    if (data["weight"].astype(float) <= 0).any() or data["weight"].isna().any():
        raise ConfigError("satisfaction: every weight must be a positive number")
    data["sat"] = data["score"].isin(sat).astype(float) * 100
    data["hundred"] = to_hundred(data["score"].astype(float))
    if "item" not in groups:
        # one observation per respondent: the mean over the items answered
        keys = ["respondent_id", *groups]
        data = (
            data.groupby(keys, sort=False, observed=True)
            .agg(weight=("weight", "first"), sat=("sat", "mean"), hundred=("hundred", "mean"))
            .reset_index()
        )
    rows = {}
    grouped = data.groupby(groups, sort=True, observed=True) if groups else [("全部", data)]
    for key, part in grouped:
        rows[key] = _estimate(
            part["weight"].to_numpy(float),
            part["sat"].to_numpy(float),
            part["hundred"].to_numpy(float),
            level,
        )
    out = pd.DataFrame.from_dict(rows, orient="index", columns=COLUMNS)
    if len(groups) > 1:
        out.index = pd.MultiIndex.from_tuples(out.index, names=groups)
    else:
        out.index.name = groups[0] if groups else None
        if groups and isinstance(out.index[0], tuple):
            out.index = pd.Index([k[0] for k in out.index], name=groups[0])
    out["n"] = out["n"].astype(int)
    return out


def _estimate(w: np.ndarray, sat: np.ndarray, hundred: np.ndarray, level: float) -> list[float]:
    n = len(w)
    n_eff = kish_effective_n(w)
    scaled = w * n_eff / w.sum()  # sum of weights = n_eff: DescrStatsW's nobs
    result: list[float] = [n, n_eff]
    for values, (low_cap, high_cap) in ((sat, (0.0, 100.0)), (hundred, (0.0, 100.0))):
        stats = DescrStatsW(values, weights=scaled, ddof=1)
        mean = float(stats.mean)
        if n > 1 and n_eff > 1:
            se = float(stats.std_mean)
            low, high = stats.tconfint_mean(alpha=1 - level)
        else:
            se, low, high = np.nan, np.nan, np.nan
        result += [mean, se, max(float(low), low_cap), min(float(high), high_cap)]
    return result
