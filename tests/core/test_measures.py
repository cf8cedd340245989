"""Measures: half-up rounding, growth, shares, contributions, ranks, required growth."""

from __future__ import annotations

import doctest
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from statlib import measures
from statlib.errors import ConfigError
from statlib.measures import fmt, round_half_up

NAN = float("nan")


@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [
        (2.25, 1, "2.3"),  # binary 2.25 is exact, but banker's rounding would give 2.2
        (2.35, 1, "2.4"),  # binary 2.35 is 2.34999…; the printed 2.35 rounds up
        (0.05, 1, "0.1"),
        (-0.05, 1, "-0.1"),
        (-2.25, 1, "-2.3"),
        (0.1 + 0.2, 1, "0.3"),
        (0.1 + 0.2, 2, "0.30"),
        (1.005, 2, "1.01"),  # round(1.005, 2) gives 1.0
        (6, 1, "6.0"),
        (6.0, 1, "6.0"),
        (-0.04, 1, "0.0"),  # never "-0.0"
        (-0.0, 1, "0.0"),
        (0.04999, 1, "0.0"),
        (7.25, 0, "7"),
        (7.5, 0, "8"),
        (-7.5, 0, "-8"),
        (42505.125, 2, "42505.13"),
        (1529.2, 1, "1529.2"),
        (99.95, 1, "100.0"),
        (1e20, 1, "100000000000000000000.0"),
        (np.float64(2.25), 1, "2.3"),
        (np.int64(3), 2, "3.00"),
        (Decimal("2.45"), 1, "2.5"),
    ],
)
def test_fmt_half_up(x: float, decimals: int, expected: str) -> None:
    assert fmt(x, decimals) == expected
    assert format(round_half_up(x, decimals), "f") == expected


@pytest.mark.parametrize("missing", [None, NAN, np.nan, pd.NA, Decimal("NaN")])
def test_fmt_missing_is_blank(missing: object) -> None:
    assert fmt(missing) == ""
    assert fmt(missing, missing="…") == "…"


@pytest.mark.parametrize("missing", [None, NAN])
def test_round_half_up_missing_raises(missing: object) -> None:
    with pytest.raises(ConfigError, match="x is missing"):
        round_half_up(missing)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("x", "decimals"), [("2.5", 1), (True, 1), (math.inf, 1), (1.0, -1), (1.0, 1.5)]
)
def test_round_bad_arguments(x: object, decimals: object) -> None:
    with pytest.raises(ConfigError):
        round_half_up(x, decimals)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (110.0, 100.0, "10.0"),
        (107.2, 100.0, "7.2"),
        (98.2, 100.0, "-1.8"),
        (100.0, 100.0, "0.0"),
        (200.0, 100.0, "100.0"),
        (370.0, 100.0, "270.0"),
        (42505.0, 38610.0, "10.1"),
        (NAN, 100.0, ""),
        (100.0, None, ""),
    ],
)
def test_yoy(current: float, previous: float, expected: str) -> None:
    assert fmt(measures.yoy(current, previous)) == expected


@pytest.mark.parametrize("previous", [0.0, -5.0])
def test_yoy_undefined_base_raises(previous: float) -> None:
    with pytest.raises(ConfigError, match="previous must be positive"):
        measures.yoy(10.0, previous)


def test_yoy_series_masks_undefined_base() -> None:
    out = measures.yoy(pd.Series([110.0, 5.0, 90.0]), pd.Series([100.0, 0.0, 100.0]))
    assert [fmt(v) for v in out] == ["10.0", "", "-10.0"]


def test_current_from_cumulative_two_years() -> None:
    cum = pd.Series(
        [10.0, 16.0, 21.0, 12.0, 19.0],
        index=["2021-02", "2021-03", "2021-04", "2022-02", "2022-03"],
    )
    out = measures.current_from_cumulative(cum)
    # February stays 1—2月 combined, and 2022 starts afresh
    assert out.tolist() == [10.0, 6.0, 5.0, 12.0, 7.0]
    assert list(out.index) == list(cum.index)


def test_current_from_cumulative_unsorted_and_gap() -> None:
    cum = pd.Series([30.0, 10.0, 16.0], index=["2022-05", "2022-02", "2022-03"])
    out = measures.current_from_cumulative(cum)
    assert math.isnan(out["2022-05"])  # April missing: May cannot be derived
    assert out["2022-02"] == 10.0
    assert out["2022-03"] == 6.0


def test_current_from_cumulative_with_january_allowed() -> None:
    cum = pd.Series([4.0, 10.0], index=["2022-01", "2022-02"])
    assert measures.current_from_cumulative(cum, combined_first=False).tolist() == [4.0, 6.0]


@pytest.mark.parametrize(
    ("index", "match"),
    [
        (["2022-01", "2022-02"], "January"),
        (["2022-02", "2022-02"], "duplicate"),
        (["2022-13", "2022-02"], "not a month"),
        (["2022年2月", "2022-03"], "not a month"),
    ],
)
def test_current_from_cumulative_bad_index(index: list[str], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        measures.current_from_cumulative(pd.Series([1.0, 2.0], index=index))


def test_cumulative_round_trip_and_growth() -> None:
    current = pd.Series([10.0, 5.0, 11.0, 6.0], index=["2021-02", "2021-03", "2022-02", "2022-03"])
    cum = measures.cumulative_from_current(current)
    assert cum.tolist() == [10.0, 15.0, 11.0, 17.0]
    assert measures.current_from_cumulative(cum).tolist() == current.tolist()
    growth = measures.cumulative_growth(current)
    assert math.isnan(growth.iloc[0]) and math.isnan(growth.iloc[1])
    # 1—2月 11 vs 10 → 10.0%; 1—3月 17 vs 15 → 13.3%
    assert [fmt(v) for v in growth.iloc[2:]] == ["10.0", "13.3"]


@pytest.mark.parametrize(
    ("level_t", "level_prev", "deflator", "expected"),
    [
        (110.0, 100.0, 102.0, "7.8"),  # 110 / 1.02 = 107.84
        (110.0, 100.0, 100.0, "10.0"),
        (100.0, 100.0, 95.0, "5.3"),  # falling prices: real growth above nominal
        (103.0, 100.0, 103.0, "0.0"),
    ],
)
def test_comparable_growth(level_t: float, level_prev: float, deflator: float, expected: str):
    assert fmt(measures.comparable_growth(level_t, level_prev, deflator)) == expected


@pytest.mark.parametrize("deflator", [2.0, 0.0, -100.0, 300.0])
def test_comparable_growth_rejects_rate_as_deflator(deflator: float) -> None:
    with pytest.raises(ConfigError, match="deflator must be an index"):
        measures.comparable_growth(110.0, 100.0, deflator)


@pytest.mark.parametrize(
    ("total", "expected"),
    [(13.2, "6.4"), (0.0, "0.0"), (21.0, "10.0"), (-19.0, "-10.0"), (44.0, "20.0")],
)
def test_two_year_average(total: float, expected: str) -> None:
    assert fmt(measures.two_year_average(total)) == expected


def test_two_year_average_bad_and_series() -> None:
    with pytest.raises(ConfigError, match="above -100"):
        measures.two_year_average(-100.0)
    out = measures.two_year_average(pd.Series([13.2, -150.0]))
    assert fmt(out[0]) == "6.4" and math.isnan(out[1])


@pytest.mark.parametrize(
    ("part", "total", "expected"),
    [(25.0, 200.0, "12.5"), (1.0, 3.0, "33.3"), (50.0, 50.0, "100.0"), (0.0, 10.0, "0.0")],
)
def test_share(part: float, total: float, expected: str) -> None:
    assert fmt(measures.share(part, total)) == expected


def test_share_change_in_points() -> None:
    # 第三产业: 450 of 1000 → 520 of 1100 = 45.0% → 47.3%, +2.3 points
    assert fmt(measures.share_change(520.0, 1100.0, 450.0, 1000.0)) == "2.3"
    assert fmt(measures.share_change(40.0, 100.0, 45.0, 100.0)) == "-5.0"


def test_contribution_and_pull_hand_computed() -> None:
    # Total 1000 → 1080 (+8.0%): 一产 100→102, 二产 400→430, 三产 500→548
    deltas = {"一产": 2.0, "二产": 30.0, "三产": 48.0}
    contrib = {k: measures.contribution(v, 80.0) for k, v in deltas.items()}
    pulls = {k: measures.pull(v, 1000.0) for k, v in deltas.items()}
    assert [fmt(v) for v in contrib.values()] == ["2.5", "37.5", "60.0"]
    assert [fmt(v) for v in pulls.values()] == ["0.2", "3.0", "4.8"]
    assert math.isclose(sum(contrib.values()), 100.0)
    assert math.isclose(sum(pulls.values()), 8.0)


def test_contribution_negative_part_and_zero_total() -> None:
    assert fmt(measures.contribution(-5.0, 20.0)) == "-25.0"
    with pytest.raises(ConfigError, match="total_delta must be non-zero"):
        measures.contribution(5.0, 0.0)
    with pytest.raises(ConfigError, match="total_prev must be positive"):
        measures.pull(5.0, 0.0)


@pytest.mark.parametrize(
    ("method", "descending", "expected"),
    [
        ("min", True, [2, 1, 2, 4]),
        ("dense", True, [2, 1, 2, 3]),
        ("max", True, [3, 1, 3, 4]),
        ("first", True, [2, 1, 3, 4]),
        ("min", False, [2, 4, 2, 1]),  # e.g. unemployment: lowest first
    ],
)
def test_rank_ties(method: str, descending: bool, expected: list[int]) -> None:
    values = {"A": 7.2, "B": 8.1, "C": 7.2, "D": 5.0}
    out = measures.rank(values, descending=descending, method=method)
    assert out.tolist() == expected
    assert list(out.index) == ["A", "B", "C", "D"]


def test_rank_series_with_missing() -> None:
    out = measures.rank(pd.Series({"A": 3.0, "B": NAN, "C": 5.0}))
    assert out["C"] == 1 and out["A"] == 2 and out["B"] is pd.NA
    assert str(out.dtype) == "Int64"


def test_rank_bad_method() -> None:
    with pytest.raises(ConfigError, match="method must be one of"):
        measures.rank({"A": 1.0}, method="average")


@pytest.mark.parametrize(
    ("target", "done", "share", "expected"),
    [
        # need 1.06; done 0.8 × 1.05 = 0.84; rest 0.22 over 0.2 → +10%
        (6.0, 5.0, 0.8, "10.0"),
        (6.0, 6.0, 0.75, "6.0"),  # on track: the rest grows as much as the target
        # need 1.05; done 0.5 × 1.08 = 0.54; rest 0.51 over 0.5 → +2%
        (5.0, 8.0, 0.5, "2.0"),
        # need 1.065; done 0.9 × 1.04 = 0.936; rest 0.129 over 0.1 → +29%
        (6.5, 4.0, 0.9, "29.0"),
    ],
)
def test_required_growth(target: float, done: float, share: float, expected: str) -> None:
    assert fmt(measures.required_growth(target, done, share)) == expected


@pytest.mark.parametrize("share", [0.0, 1.0, 80.0, -0.2])
def test_required_growth_share_is_a_fraction(share: float) -> None:
    with pytest.raises(ConfigError, match="fraction between 0 and 1"):
        measures.required_growth(6.0, 5.0, share)


def test_series_of_text_raises() -> None:
    with pytest.raises(ConfigError, match="share: total must hold numbers only"):
        measures.share(pd.Series([1.0]), pd.Series(["十"]))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: measures.cumulative_average(pd.Series([101.0], ["2023Q1"])), "not a month"),
        (lambda: measures.cumulative_average([101.0]), "must be a pandas Series"),
        (lambda: measures.mom(pd.Series([1.0, 2.0], ["2023-05", "2023-05"])), "duplicate months"),
        (lambda: measures.mom(pd.Series([1.0], ["2023-01"]), combined_first=True), "1—2月"),
        (lambda: measures.contributions({"a": 1.0}, {"a": "x"}), "real_growth must hold numbers"),
    ],
)
def test_monthly_measures_refuse_bad_input(call, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        call()


@pytest.mark.parametrize(
    ("values", "kind", "expected"),
    [
        ([100.0, 110.0, 99.0], "level", ["", "10.0", "-10.0"]),
        ([0.0, 5.0, 6.0], "level", ["", "", "20.0"]),  # a zero level has no 环比 after it
        ([100.0, NAN, 99.0], "fixed", ["", "", ""]),
        ([100.4, 99.8, 100.0], "chained", ["0.4", "-0.2", "0.0"]),
    ],
)
def test_mom_by_hand(values: list[float], kind: str, expected: list[str]) -> None:
    series = pd.Series(values, index=["2022-12", "2023-01", "2023-02"])
    assert [fmt(x) for x in measures.mom(series, kind)] == expected


def test_cumulative_average_keeps_the_order_and_the_name() -> None:
    s = pd.Series([102.0, 101.0, 103.0], index=["2023-02", "2023-01", "2023-03"], name="CPI")
    out = measures.cumulative_average(s)
    assert list(out.index) == ["2023-02", "2023-01", "2023-03"] and out.name == "CPI"
    assert [fmt(x) for x in out] == ["101.5", "101.0", "102.0"]


def test_contributions_keep_the_order_of_the_parts() -> None:
    out = measures.contributions(pd.Series({"三产": 50.0, "一产": 10.0, "二产": 40.0}),
                                 {"一产": 2.0, "二产": 5.0, "三产": 6.0})  # fmt: skip
    assert list(out.index) == ["三产", "一产", "二产"]
    assert [fmt(x, 2) for x in out["pull"]] == ["3.00", "0.20", "2.00"]
    assert [fmt(x) for x in out["contribution"]] == ["57.7", "3.8", "38.5"]


def test_docstring_examples_hold() -> None:
    result = doctest.testmod(measures)
    assert result.attempted > 10 and result.failed == 0
