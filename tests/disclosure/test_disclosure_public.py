"""The public edition's data layer: suppressed symbols, never values (``public_observations``).

Configured rules: n = 3, (2, 85) dominance, p = 10. From the shares: dominance when s1 + s2 >
0.85; p% when 1 − s1 − s2 < 0.1·s1.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from statlib.disclosure import SUPPRESSED_FLAG, Rules, public_observations
from statlib.disclosure.public import unsafe_observations

COLUMNS = ["indicator", "region", "period", "value", "flags", "contributors", "top1_share",
           "top2_share"]  # fmt: skip


def _frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        [("ind_va", f"r{i}", "2023", *row) for i, row in enumerate(rows)], columns=COLUMNS
    )


@pytest.mark.parametrize(
    ("flags", "contributors", "s1", "s2", "hidden", "why"),
    [
        (None, 2, 0.5, 0.5, True, "2 contributors < 3"),
        (None, 3, 0.4, 0.3, False, "3 contributors, 70%"),
        (None, 4, 0.25, 0.25, False, "4 contributors"),
        ("C", 50, 0.1, 0.1, True, "flagged confidential"),
        ("P", 50, 0.80, 0.05, False, "top two exactly 85%"),
        ("P", 50, 0.80, 0.0501, True, "top two just above 85%"),
        (None, 50, 0.50, 0.40, True, "p%: rest 0.10 ≥ 0.05 but dominance 90%"),
        (None, 50, 0.60, 0.19, False, "rest 0.21, top two 79%"),
        (None, 50, 0.75, 0.1, False, "p% at the limit? rest 0.15 ≥ 0.075: safe"),
        (None, 1, 1.0, None, True, "a lone unit"),
        (None, None, None, None, False, "no aggregates: judged by the flag alone"),
        ("E", 0, None, None, False, "no contributors: an empty cell"),
    ],
)
def test_rules_from_shares(
    flags: str | None, contributors: int | None, s1: float | None, s2: float | None,
    hidden: bool, why: str,
) -> None:  # fmt: skip
    frame = _frame([(123.45, flags, contributors, s1, s2)])
    out = public_observations(frame)
    assert math.isnan(out["value"].iloc[0]) is hidden, why
    flag = out["flags"].iloc[0]
    assert (not pd.isna(flag) and SUPPRESSED_FLAG in flag) is hidden, why


def test_p_percent_from_shares_at_the_limit() -> None:
    """With dominance out of the way (k = 100): 1 − 0.9 − 0.01 = 0.09 = 0.1·0.9 is safe;
    1 − 0.9 − 0.0101 = 0.0899 < 0.09 is not."""
    rules = Rules(n=3, k=100, dominance_n=2, p=10)
    frame = _frame([(1.0, None, 9, 0.9, 0.01), (1.0, None, 9, 0.9, 0.0101)])
    assert unsafe_observations(frame, rules).tolist() == [False, True]


def test_no_value_and_no_share_leaves_and_the_input_is_unchanged() -> None:
    frame = _frame([(10.0, None, 2, 0.6, 0.4), (20.0, "C", 9, 0.2, 0.1), (30.0, "P", 9, 0.3, 0.2)])
    before = frame.copy()
    out = public_observations(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert out["value"].tolist()[2] == 30.0 and np.isnan(out["value"].tolist()[:2]).all()
    assert out["flags"].tolist() == ["S", "CS", "P"]
    assert pd.isna(public_observations(_frame([(1.0, None, 9, 0.1, 0.1)]))["flags"].iloc[0])
    assert out[["top1_share", "top2_share"]].isna().all().all()  # share × value = a unit
    assert out["contributors"].tolist() == [2, 9, 9]
    again = public_observations(out)  # idempotent: S stays single
    assert again["flags"].tolist() == ["S", "CS", "P"]


def test_empty_frame() -> None:
    out = public_observations(_frame([]))
    assert out.empty and list(out.columns) == COLUMNS
