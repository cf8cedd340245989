"""Primary disclosure rules at their boundaries, each computed by hand (TRUST.md §1, figure S1)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from statlib.disclosure import Rules, dominance, frequency, p_percent, reasons, unsafe
from statlib.errors import ConfigError


@pytest.mark.parametrize(
    ("contributions", "n", "expected"),
    [
        ([], 3, False),  # an empty cell discloses nobody
        ([10], 3, True),
        ([10, 10], 3, True),  # 2 < 3
        ([10, 10, 10], 3, False),  # exactly n: safe
        ([10, 10, 10, 10], 3, False),
        ([10, 10, 10, 10], 5, True),  # offices using n = 5
        ([10, 10, 10, 10, 10], 5, False),
        ([0, 0], 3, True),  # zero-valued units still count as contributors
        ([10, None, float("nan")], 3, True),  # missing values are not contributors
    ],
)
def test_minimum_frequency(contributions: list, n: int, expected: bool) -> None:
    assert frequency(contributions, n) is expected


@pytest.mark.parametrize(
    ("contributions", "k", "n", "expected"),
    [
        ([85, 15], 85, 1, False),  # exactly 85%: not above k, safe
        ([85, 10, 5], 85, 1, False),
        ([0.85, 0.15], 85, 1, False),  # float representation must not tip the boundary
        ([8.5, 0.7, 0.8], 85, 1, False),
        ([85.0001, 14.9999], 85, 1, True),
        ([86, 7, 7], 85, 1, True),
        ([50, 35, 15], 85, 2, False),  # two largest exactly 85%
        ([50, 36, 14], 85, 2, True),
        ([40, 30, 30], 85, 2, False),
        ([100], 85, 1, True),
        ([0, 0, 0], 85, 1, False),  # total 0: nothing to estimate
        ([-90, 5, 5], 85, 1, True),  # a large loss dominates by its magnitude
        ([Decimal("85"), Decimal("15")], 85, 1, False),
        ([np.float64(86), np.int64(14)], 85, 1, True),
    ],
)
def test_dominance(contributions: list, k: float, n: int, expected: bool) -> None:
    assert dominance(contributions, k, n) is expected


@pytest.mark.parametrize(
    ("contributions", "p", "expected"),
    [
        ([100, 5, 5], 10, True),  # X − x1 − x2 = 5 < 10
        ([100, 5, 5, 5], 10, False),  # = 10: at the limit, safe
        ([100, 5, 5, 4.9], 10, True),
        ([100, 50, 10], 10, False),
        ([100, 50, 9.99], 10, True),
        ([100], 10, True),  # alone: the rest is 0
        ([100, 100], 17.6, True),  # two units: each knows the other exactly
        ([], 10, False),
        ([-100, 5, 5, 5], 10, False),  # magnitudes
    ],
)
def test_p_percent(contributions: list, p: float, expected: bool) -> None:
    assert p_percent(contributions, p) is expected


def test_unsafe_by_shape_of_input() -> None:
    cells = {"煤炭": [50, 30, 20], "燃气": [90, 5, 5], "水": [7, 3], "空": []}
    assert unsafe(cells) == {"煤炭": False, "燃气": True, "水": True, "空": False}
    assert unsafe(list(cells.values())) == [False, True, True, False]
    series = pd.Series(cells)
    result = unsafe(series)
    assert result.dtype == bool and result.index.tolist() == series.index.tolist()
    assert result.tolist() == [False, True, True, False]


def test_unsafe_from_unit_records_with_groupby() -> None:
    units = pd.DataFrame(
        {
            "industry": ["06", "06", "06", "13", "13", "13", "13", "44", "44"],
            "revenue": [30.0, 30.0, 40.0, 86.0, 5.0, 5.0, 4.0, 50.0, 50.0],
        }
    )
    flags = unsafe(units.groupby("industry")["revenue"].apply(list))
    assert flags.to_dict() == {"06": False, "13": True, "44": True}


def test_p_rule_only_when_asked() -> None:
    cells = [[60, 30, 5, 5]]  # X − x1 − x2 = 10 < 0.176·60 = 10.56
    assert unsafe(cells) == [False]
    assert unsafe(cells, p=17.6) == [True]
    assert unsafe(cells, p=10) == [False]


def test_dominance_n_and_k_are_parameters() -> None:
    assert unsafe([[50, 40, 10]]) == [False]
    assert unsafe([[50, 40, 10]], dominance_n=2) == [True]
    assert unsafe([[50, 40, 10]], dominance_n=2, k=90) == [False]
    assert unsafe([[80, 10, 10]], k=75) == [True]


def test_reasons_name_every_failing_rule() -> None:
    assert reasons([1, 1, 98], p=10) == ("dominance", "p%")
    assert reasons([10, 10]) == ("frequency",)
    assert reasons([90, 10]) == ("frequency", "dominance")
    assert reasons([40, 30, 30]) == ()


@pytest.mark.parametrize(
    "kwargs",
    [{"n": 0}, {"n": 2.5}, {"k": 0}, {"k": 101}, {"dominance_n": 0}, {"p": 0}, {"p": 100}],
)
def test_bad_parameters_are_named(kwargs: dict) -> None:
    name = next(iter(kwargs))
    with pytest.raises(ConfigError, match=name):
        Rules(**kwargs)


@pytest.mark.parametrize("bad", ["abc", [1, "x"], [1, float("inf")], 5])
def test_bad_contributions_raise(bad: object) -> None:
    with pytest.raises(ConfigError):
        unsafe([bad])


# ---- protection levels and the configured rules (figure S1) ---------------------------------

CONFIGURED = Rules(n=3, k=85, dominance_n=2, p=10)


@pytest.mark.parametrize(
    ("contributions", "expected_reasons", "top_and_total"),
    [
        ([10, 10], ("frequency", "dominance", "p%"), (20, 20)),  # 2 units
        ([10, 10, 10], (), None),  # 3 units: safe at the boundary
        ([10, 10, 10, 10], (), None),  # 4 units
        ([50, 35, 15], (), None),  # two largest exactly 85%: safe
        ([50, 35.01, 14.99], ("dominance",), (85.01, 100)),  # just above
        ([100, 50, 15], ("dominance",), (150, 165)),  # p% safe (15 ≥ 10); top 2 91%
        ([100, 5, 5, 5], ("dominance",), (105, 115)),  # p% at the limit: rest = 10
        ([100, 5, 5, 4.99], ("dominance", "p%"), (105, 114.99)),  # p% 10 − 9.99 less
        ([0, 0], ("frequency",), None),  # two zero units: only a non-zero width is asked
        ([0, 0, 0], (), None),
        ([-90, 5, 5], ("dominance", "p%"), (95, 100)),  # a loss counts by magnitude
        ([7], ("frequency", "dominance", "p%"), (7, 7)),
    ],
)
def test_protection_levels_by_hand(
    contributions: list, expected_reasons: tuple, top_and_total: tuple[float, float] | None
) -> None:
    """Level (dominance binding here) = (x1 + x2)/0.85 − X, written as (x1 + x2, X)."""
    assert CONFIGURED.reasons(contributions) == expected_reasons
    expected = 0.0 if top_and_total is None else top_and_total[0] / 0.85 - top_and_total[1]
    assert float(CONFIGURED.protection(contributions)) == pytest.approx(expected, abs=1e-9)


def test_s1_rule_boundaries_as_computed_by_hand(capsys: pytest.CaptureFixture[str]) -> None:
    """Figure S1: the boundaries of all three rules, each against its hand-computed answer."""
    cases = [
        (frequency([1, 1], 3), True), (frequency([1, 1, 1], 3), False),
        (frequency([1, 1, 1, 1], 3), False),
        (dominance([85, 15]), False), (dominance([85.0001, 14.9999]), True),
        (dominance([50, 35, 15], 85, 2), False), (dominance([50, 35.01, 14.99], 85, 2), True),
        (p_percent([100, 5, 5, 5], 10), False), (p_percent([100, 5, 5, 4.99], 10), True),
        (dominance([-90, 5, 5]), True), (p_percent([-100, 5, 5, 5], 10), False),
        (frequency([0, 0], 3), True), (dominance([0, 0, 0]), False),
    ]  # fmt: skip
    agree = sum(got is want for got, want in cases)
    with capsys.disabled():
        print(f"\nS1: {agree}/{len(cases)} rule boundaries as computed by hand")
    assert agree == len(cases)


def test_configured_rules_from_yaml(tmp_path: Path) -> None:
    from statlib.disclosure import configured_rules

    assert configured_rules() == CONFIGURED
    path = tmp_path / "rules.yaml"
    path.write_text("frequency: {n: 5}\np_percent: null\n", encoding="utf-8")
    assert configured_rules(path) == Rules(n=5, k=85, dominance_n=1, p=None)
    path.write_text("dominanse: {n: 2}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="sections"):
        configured_rules(path)
    path.write_text("frequency: {n: 0}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="n must be"):
        configured_rules(path)
