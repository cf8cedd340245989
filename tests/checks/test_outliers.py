"""Hidiroglou–Berthelot outlier rule (TRUST.md §2): hand-computed numbers and figure R2."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from statlib.checks import outliers
from statlib.checks.outliers import hb_bounds, hidiroglou_berthelot
from statlib.errors import ConfigError

# Six units; the current value never exceeds the previous one, so max(y_t, y_{t-1})^0.5 is the
# square root of the previous value: 10, 10, 20, 20, 10, 10.
#   r   = 1, 0.9, 1, 0.9, 0.25, 0.81          sorted: .25 .81 .9 .9 1 1 → median 0.9
#   s   = 1/9, 0, 1/9, 0, 1 − 0.9/0.25 = −2.6, 1 − 0.9/0.81 = −1/9
#   E   = 10/9, 0, 20/9, 0, −26, −10/9        sorted: −26 −10/9 0 0 10/9 20/9
#   Q1  = position 1.25: −10/9 + 0.25·10/9 = −5/6;  Q2 = position 2.5: 0;  Q3 = position 3.75: 5/6
#   dQ1 = max(0 + 5/6, |0.05·0|) = 5/6;  dQ3 = 5/6;  bounds 0 ∓ 4·5/6 = ∓10/3 → only "e" outside
PREV = pd.Series({"a": 100.0, "b": 100.0, "c": 400.0, "d": 400.0, "e": 100.0, "f": 100.0})
CUR = pd.Series({"a": 100.0, "b": 90.0, "c": 400.0, "d": 360.0, "e": 25.0, "f": 81.0})

HAND = [
    # unit, ratio, centred, effect, flag
    ("a", 1.0, 1 / 9, 10 / 9, False),
    ("b", 0.9, 0.0, 0.0, False),
    ("c", 1.0, 1 / 9, 20 / 9, False),
    ("d", 0.9, 0.0, 0.0, False),
    ("e", 0.25, -2.6, -26.0, True),
    ("f", 0.81, -1 / 9, -10 / 9, False),
]


@pytest.mark.parametrize(("unit", "ratio", "centred", "effect", "flag"), HAND)
def test_hand_computed_rows(unit: str, ratio: float, centred: float, effect: float, flag: bool):
    result = hidiroglou_berthelot(CUR, PREV)
    row = result.loc[unit]
    assert row["ratio"] == pytest.approx(ratio)
    assert row["centred"] == pytest.approx(centred, abs=1e-12)
    assert row["effect"] == pytest.approx(effect, abs=1e-12)
    assert bool(row["flag"]) is flag


def test_hand_computed_quartiles_and_bounds():
    result = hidiroglou_berthelot(CUR, PREV)
    a = result.attrs
    assert a["median_ratio"] == pytest.approx(0.9)
    assert (a["q1"], a["q2"], a["q3"]) == pytest.approx((-5 / 6, 0.0, 5 / 6), abs=1e-12)
    assert (a["dq1"], a["dq3"]) == pytest.approx((5 / 6, 5 / 6))
    assert result["lower"].unique() == pytest.approx([-10 / 3])
    assert result["upper"].unique() == pytest.approx([10 / 3])
    assert list(result.columns) == outliers.COLUMNS


@pytest.mark.parametrize(
    ("effects", "A", "C", "expected"),
    [
        # quartile distances 0.1 < |0.05·10.2| = 0.51: the A floor binds on both sides
        (
            [10.0, 10.1, 10.2, 10.3, 10.4],
            0.05,
            4,
            {"q2": 10.2, "dq1": 0.51, "dq3": 0.51, "lower": 8.16, "upper": 12.24},
        ),
        # distances 1 and 3 exceed |0.05·2| = 0.1: the quartile distances are used
        (
            [-4.0, 1.0, 2.0, 5.0, 20.0],
            0.05,
            4,
            {"q1": 1.0, "q2": 2.0, "q3": 5.0, "dq1": 1.0, "dq3": 3.0, "lower": -2.0, "upper": 14.0},
        ),
        # negative median: |A·Q2| uses the absolute value; C = 2
        (
            [-10.4, -10.3, -10.2, -10.1, -10.0],
            0.05,
            2,
            {"dq1": 0.51, "dq3": 0.51, "lower": -11.22, "upper": -9.18},
        ),
        # A = 0: the distances alone (0.1 each)
        (
            [10.0, 10.1, 10.2, 10.3, 10.4],
            0.0,
            4,
            {"dq1": 0.1, "dq3": 0.1, "lower": 9.8, "upper": 10.6},
        ),
    ],
)
def test_quartile_distance_terms(effects, A, C, expected):
    bounds = hb_bounds(pd.Series(effects), A=A, C=C)
    for key, value in expected.items():
        assert bounds[key] == pytest.approx(value), key


def test_invalid_units_are_reported_not_flagged():
    cur = pd.Series({"a": 110.0, "b": 0.0, "c": None, "d": 105.0, "e": 100.0, "g": 5.0})
    prev = pd.Series({"a": 100.0, "b": 100.0, "c": 100.0, "d": 100.0, "e": 100.0, "f": 9.0})
    result = hidiroglou_berthelot(cur, prev)
    assert result["valid"].to_dict() == {
        "a": True,
        "b": False,
        "c": False,
        "d": True,
        "e": True,
        "g": False,
        "f": False,
    }
    assert not result.loc[~result["valid"], "flag"].any()
    assert result.loc[~result["valid"], "effect"].isna().all()


def test_doubling_and_halving_are_equally_far():
    prev = pd.Series(100.0, index=list("abcde"))
    cur = pd.Series({"a": 200.0, "b": 100.0, "c": 100.0, "d": 100.0, "e": 50.0})
    result = hidiroglou_berthelot(cur, prev, U=0.0)
    assert result.loc["a", "centred"] == pytest.approx(-result.loc["e", "centred"])


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"U": 1.5}, "U"),
        ({"A": -0.1}, "A"),
        ({"C": -1}, "C"),
        ({"C": float("nan")}, "C"),
        ({"U": "0.5"}, "U"),
    ],
)
def test_bad_parameters(kwargs, word):
    with pytest.raises(ConfigError, match=word):
        hidiroglou_berthelot(CUR, PREV, **kwargs)


def test_not_a_series():
    with pytest.raises(ConfigError, match="current"):
        hidiroglou_berthelot([1.0, 2.0], PREV)  # type: ignore[arg-type]


def _clean_panel(seed: int, n: int = 60) -> tuple[pd.Series, pd.Series]:
    """Units of lognormal size growing 6%, each within ±4% × (median size / size)^0.5 of it
    (uniformly: large units move less, as the HB effect assumes): nothing here is an outlier.

    Clean means bounded: with normal deviations the rule (C = 4 ≈ 2.7 σ) flags about 1% of
    units, which are then genuinely far out."""
    rng = np.random.default_rng(seed)
    size = np.exp(rng.normal(8, 1.0, n))
    spread = 0.04 * np.sqrt(np.median(size) / size)
    prev = pd.Series(size, index=[f"u{i:03d}" for i in range(n)])
    cur = prev * (1.06 + rng.uniform(-1, 1, n) * spread)
    return cur, prev


@pytest.mark.parametrize("seed", range(50))
def test_r2_planted_outliers_all_flagged_and_no_false_flags(seed: int):
    """Figure R2: on clean panels 0 false flags; planted jumps and collapses all flagged."""
    cur, prev = _clean_panel(seed)
    assert not hidiroglou_berthelot(cur, prev)["flag"].any()
    planted = cur.copy()
    big = prev.sort_values().index[-10:]  # among the larger units: their effect is large
    planted[big[0]] = prev[big[0]] * 1.8  # +80%
    planted[big[3]] = prev[big[3]] * 0.45  # −55%
    planted[big[6]] = prev[big[6]] * 2.5  # +150%
    flags = hidiroglou_berthelot(planted, prev)["flag"]
    assert set(flags[flags].index) == {big[0], big[3], big[6]}


def test_doctests():
    assert doctest.testmod(outliers).failed == 0
