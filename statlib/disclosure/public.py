"""The public edition of the observations: suppressed symbols, never values.

``public_observations`` is the hook of the data layer's public edition (``open_store(
edition="public")``): an observation flagged confidential (``C``) or unsafe by the primary
rules, judged from the aggregates the store keeps per observation (``contributors``, the
shares ``top1_share`` ≥ ``top2_share`` of the two largest units), loses its value (NaN) and
gains the flag ``S``. The shares themselves never leave: share × value is the largest unit's
figure, so they are blanked on every row. The unit count stays (it discloses no magnitude).

From shares the rules read: minimum frequency ``0 < contributors < n``; (n,k) dominance
``s1 (+ s2) > k/100`` (dominance n ≤ 2: the store keeps two shares); p%
``1 − s1 − s2 < (p/100)·s1``. An observation without these aggregates is judged by its flag
alone. Secondary suppression across the region hierarchy is not done here: it needs the
units (``protect``).

>>> import pandas as pd
>>> frame = pd.DataFrame({"indicator": ["v"] * 3, "region": ["a", "b", "c"],
...     "period": ["2023"] * 3, "value": [10.0, 20.0, 30.0], "flags": [None, "C", "P"],
...     "contributors": [2, 9, 9], "top1_share": [0.6, 0.2, 0.3], "top2_share": [0.4, 0.1, 0.2]})
>>> public_observations(frame)[["value", "flags"]].to_dict("list")
{'value': [nan, nan, 30.0], 'flags': ['S', 'CS', 'P']}
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from statlib.disclosure.rules import Rules, configured_rules
from statlib.errors import ConfigError

__all__ = [
    "SUPPRESSED_FLAG",
    "InternalView",
    "PublicView",
    "public_observations",
    "suppress_rows",
    "unsafe_observations",
]

SUPPRESSED_FLAG = "S"
_SHARES = ("top1_share", "top2_share")


def unsafe_observations(frame: pd.DataFrame, rules: Rules | None = None) -> pd.Series:
    """Per row: True where the value must not be published (flag ``C`` or a primary rule)."""
    rules = rules if rules is not None else configured_rules()
    for column in ("value", "flags"):
        if column not in frame.columns:
            raise ConfigError(f"public_observations: the frame has no column {column!r}")
    if rules.dominance_n > 2:
        raise ConfigError("public_observations: dominance n > 2 needs more than two top shares")
    # numpy, not pandas: the public data layer runs this on every read, mostly on a few rows
    out = np.array([_hidden_flag(f) for f in frame["flags"].to_numpy(dtype=object)], dtype=bool)
    count = _column(frame, "contributors")
    s1, s2 = _column(frame, "top1_share"), _column(frame, "top2_share")
    s2 = np.where(np.isnan(s2) & (count == 1), 0.0, s2)  # a lone unit has no second
    # the shares print with a few decimals: compare on 12, so 0.80 + 0.05 is exactly 0.85
    top = s1 if rules.dominance_n == 1 else s1 + s2
    with np.errstate(invalid="ignore"):  # NaN (no aggregates) compares False: flag alone
        out |= (count > 0) & (count < rules.n)
        out |= np.round(top - float(Fraction(rules.k) / 100), 12) > 0
        if rules.p is not None:
            out |= np.round(1 - s1 - s2 - float(Fraction(rules.p) / 100) * s1, 12) < 0
    return pd.Series(out, index=frame.index)


def public_observations(frame: pd.DataFrame, rules: Rules | None = None) -> pd.DataFrame:
    """A copy of ``frame`` fit for the public edition: unsafe values NaN, flagged ``S``;
    the top shares blanked on every row. The input is not changed."""
    out = suppress_rows(frame, unsafe_observations(frame, rules).to_numpy())
    for column in _SHARES:
        if column in out.columns:
            out[column] = np.nan
    return out


def suppress_rows(frame: pd.DataFrame, hide: np.ndarray) -> pd.DataFrame:
    """A copy of ``frame`` whose rows in the mask ``hide`` lose their value (NaN) and gain the
    flag ``S``; other rows keep their flags (and the column its dtype) as they were."""
    out = frame.copy()
    out["value"] = np.where(hide, np.nan, out["value"].to_numpy(dtype=float, na_value=np.nan))
    if hide.any():
        flags = [_text(f) for f in out["flags"].to_numpy(dtype=object)[hide]]
        out.loc[hide, "flags"] = [f if SUPPRESSED_FLAG in f else f + SUPPRESSED_FLAG for f in flags]
    return out


def _text(flag: object) -> str:
    return "" if flag is None or flag is pd.NA or flag != flag else str(flag)


def _hidden_flag(flag: object) -> bool:
    text = _text(flag)
    return "C" in text or SUPPRESSED_FLAG in text


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


class InternalView:
    """The internal data layer as the store serves it (``statlib.store.layers``): every figure;
    the configured rules only for the cells a caller protects itself."""

    layer = "internal"

    def observations(self, store: Any, frame: pd.DataFrame) -> pd.DataFrame:
        return frame

    def rules(self) -> Rules:
        return configured_rules()

    def estimates(self, frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
        return frame

    def unit_cells(
        self, units: pd.DataFrame, by: str | Sequence[str], values: Sequence[str]
    ) -> pd.DataFrame:
        from statlib.disclosure.cells import unit_cells  # cells imports tables, tables this

        r = self.rules()
        return unit_cells(
            units, by, values, self.layer, n=r.n, k=r.k, dominance_n=r.dominance_n, p=r.p
        )

    def protected_cells(
        self,
        units: pd.DataFrame,
        rows: str | Sequence[str],
        column: str,
        values: Sequence[str],
        cross: Sequence[str],
    ) -> Any:
        from statlib.disclosure.cells import protected_cells

        return protected_cells(
            units, rows, column, values, self.layer, cross=cross, rules=self.rules()
        )

    def satisfaction(
        self, frame: pd.DataFrame, by: str | Sequence[str] | None, **options: Any
    ) -> pd.DataFrame:
        from statlib.survey import COLUMNS, satisfaction

        return self.estimates(satisfaction(frame, by, **options), COLUMNS)


class PublicView(InternalView):
    """The public data layer (public and masked editions) as the store serves it: observations
    through the primary rules (``public_observations``) and the secondary suppression of the
    linked tables (``linked.public_secondary``); a survey estimate resting on fewer valid
    answers than the frequency rule's n arrives as NaN."""

    layer = "public"

    def observations(self, store: Any, frame: pd.DataFrame) -> pd.DataFrame:
        from statlib.disclosure.linked import public_secondary  # linked imports this module

        return public_secondary(store, public_observations(frame))

    def estimates(self, frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
        out = frame.copy()
        small = out["n"] < configured_rules().n
        out.loc[small, [c for c in columns if c != "n"]] = float("nan")
        return out
