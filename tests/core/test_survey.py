"""Weighted satisfaction estimates: hand-computed rates, scores, effective sizes and intervals."""

from __future__ import annotations

import doctest
import math

import pandas as pd
import pytest
from scipy import stats

from statlib import survey
from statlib.errors import ConfigError
from statlib.survey import kish_effective_n, satisfaction, to_hundred

# Three respondents, one item: a (w 1, score 5), b (w 1, score 3), c (w 2, score 4).
#   rate   = (1·100 + 1·0 + 2·100) / 4 = 75.0            (4 and 5 count as satisfied)
#   score  = 百分制 100, 50, 75 → (100 + 50 + 150) / 4 = 75.0
#   n_eff  = (Σw)² / Σw² = 16 / 6 = 8/3; weights rescaled to sum 8/3: 2/3, 2/3, 4/3
#   var(rate)  = (2/3·25² + 2/3·75² + 4/3·25²) / (8/3 − 1) = 5000 / (5/3) = 3000
#   se(rate)   = √(3000 / (8/3)) = √1125
#   var(score) = (2/3·25² + 2/3·25² + 0) / (5/3) = 500;  se(score) = √(500 / (8/3)) = √187.5
SMALL = pd.DataFrame(
    {
        "respondent_id": ["a", "b", "c"],
        "region": ["r1", "r1", "r2"],
        "weight": [1.0, 1.0, 2.0],
        "item": "营商",
        "score": [5, 3, 4],
    }
)


def test_hand_computed_overall():
    r = satisfaction(SMALL).loc["全部"]
    assert r["n"] == 3
    assert r["n_eff"] == pytest.approx(8 / 3)
    assert r["rate"] == pytest.approx(75.0)
    assert r["score"] == pytest.approx(75.0)
    assert r["rate_se"] == pytest.approx(math.sqrt(1125))
    assert r["score_se"] == pytest.approx(math.sqrt(187.5))
    t = stats.t.ppf(0.975, 8 / 3 - 1)
    assert r["score_low"] == pytest.approx(75 - t * math.sqrt(187.5))
    assert r["score_high"] == pytest.approx(min(100.0, 75 + t * math.sqrt(187.5)))
    assert (r["rate_low"], r["rate_high"]) == (0.0, 100.0)  # clipped to 0–100


@pytest.mark.parametrize(
    ("region", "n", "rate", "score"),
    [
        ("r1", 2, 50.0, 75.0),  # a and b, equal weights: (100 + 0)/2, (100 + 50)/2
        ("r2", 1, 100.0, 75.0),  # c alone: no interval from one answer
    ],
)
def test_by_region(region, n, rate, score):
    result = satisfaction(SMALL, by="region")
    assert list(result.index) == ["r1", "r2"]
    row = result.loc[region]
    assert (row["n"], row["rate"], row["score"]) == (n, pytest.approx(rate), pytest.approx(score))
    if n == 1:
        assert math.isnan(row["score_se"])


def test_missing_scores_do_not_count():
    frame = pd.concat(
        [
            SMALL,
            pd.DataFrame(
                {
                    "respondent_id": ["d"],
                    "region": ["r1"],
                    "weight": [5.0],
                    "item": ["营商"],
                    "score": [None],
                }
            ),
        ]
    )
    r = satisfaction(frame).loc["全部"]
    assert r["n"] == 3
    assert r["rate"] == pytest.approx(75.0)


def test_respondent_averaged_over_items():
    """Pooled over items, a respondent counts once with the mean of their answers."""
    frame = pd.DataFrame(
        {
            "respondent_id": ["a", "a", "b", "b"],
            "weight": [1.0, 1.0, 3.0, 3.0],
            "item": ["x", "y", "x", "y"],
            "score": [5, 3, 4, None],
        }
    )
    overall = satisfaction(frame).loc["全部"]
    # a: rate 50, score (100 + 50)/2 = 75; b: rate 100, score 75 → weights 1 and 3
    assert overall["n"] == 2
    assert overall["rate"] == pytest.approx((1 * 50 + 3 * 100) / 4)
    assert overall["score"] == pytest.approx(75.0)
    by_item = satisfaction(frame, by="item")
    assert by_item.loc["x", "n"] == 2 and by_item.loc["y", "n"] == 1
    assert by_item.loc["x", "rate"] == pytest.approx(100.0)
    assert by_item.loc["x", "score"] == pytest.approx((1 * 100 + 3 * 75) / 4)


def test_two_groupings_give_a_multiindex():
    result = satisfaction(SMALL, by=["region", "item"])
    assert result.index.names == ["region", "item"]
    assert result.loc[("r1", "营商"), "n"] == 2


def test_satisfied_is_configurable():
    r = satisfaction(SMALL, satisfied=(3, 4, 5)).loc["全部"]
    assert r["rate"] == pytest.approx(100.0)


def test_equal_weights_match_the_t_interval_of_the_plain_mean():
    frame = pd.DataFrame(
        {"respondent_id": list("abcdef"), "weight": 2.5, "item": "x", "score": [1, 2, 3, 4, 5, 5]}
    )
    r = satisfaction(frame).loc["全部"]
    x = to_hundred(frame["score"].astype(float))
    se = x.std(ddof=1) / math.sqrt(6)
    assert r["n_eff"] == pytest.approx(6)
    assert r["score"] == pytest.approx(x.mean())
    assert r["score_se"] == pytest.approx(se)
    assert r["score_low"] == pytest.approx(x.mean() - stats.t.ppf(0.975, 5) * se)


@pytest.mark.parametrize(
    ("score", "hundred"), [(1, 0.0), (2, 25.0), (3, 50.0), (4, 75.0), (5, 100.0)]
)
def test_to_hundred(score, hundred):
    assert to_hundred(score) == hundred


@pytest.mark.parametrize(("weights", "n_eff"), [([1, 1, 1], 3.0), ([1, 3], 1.6), ([2, 2], 2.0)])
def test_kish(weights, n_eff):
    assert kish_effective_n(weights) == pytest.approx(n_eff)


@pytest.mark.parametrize(
    ("kwargs", "frame", "word"),
    [
        ({"level": 95}, SMALL, "level"),
        ({"by": "district"}, SMALL, "district"),
        ({"satisfied": (6,)}, SMALL, "satisfied"),
        ({}, SMALL.assign(score=[5, 3, 7]), "1–5"),
        ({}, SMALL.assign(weight=[1.0, 0.0, 1.0]), "weight"),
        ({}, SMALL.drop(columns="weight"), "weight"),
    ],
)
def test_bad_input(kwargs, frame, word):
    with pytest.raises(ConfigError, match=word):
        satisfaction(frame, **kwargs)


def test_doctests():
    assert doctest.testmod(survey).failed == 0
