"""Projection of levels on published periods (regression with seasonal ARIMA errors, 2020
outliers), growth from projected levels, plain statements and turning points.

Real series: national exports (出口总值当期值, 千美元, NBS via 海关总署, 2016-01…2019-12, in the
demo database from data/nbs/月度数据_全国CPI分类.csv) and the demo city's industrial value added
(规模以上工业增加值, cumulative 亿元 from 2016, with the 2020 collapse).
"""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from statlib import forecast, measures, open_store
from statlib.errors import ConfigError
from statlib.forecast import (
    DEFAULT_OUTLIERS,
    Outlier,
    Projection,
    project_growth,
    project_level,
    published_periods,
    turning_points,
)


def _months(start_year: int, n: int) -> list[str]:
    return [f"{start_year + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


@pytest.fixture(scope="module")
def exports() -> pd.Series:
    """National exports, 亿美元 (千美元 / 10⁵), January published on its own."""
    with open_store() as store:
        return store.series("exports", "000000", "2016-01", "2019-12") / 1e5


@pytest.fixture(scope="module")
def exports_combined(exports: pd.Series) -> pd.Series:
    """The same with January and February combined in February (1—2月), as industry publishes."""
    out = exports.copy()
    for year in range(2016, 2020):
        out[f"{year}-02"] = exports[f"{year}-01"] + exports[f"{year}-02"]
    return out[[not p.endswith("-01") for p in out.index]]


@pytest.fixture(scope="module")
def industry() -> pd.Series:
    """The demo city's current-month value added (亿元, current prices), 1—2月 combined."""
    with open_store() as store:
        cum = store.series("ind_va", "990200", "2016-01", "2023-11")
    return measures.current_from_cumulative(cum)


@pytest.mark.parametrize(
    ("after", "horizon", "combined", "expected"),
    [
        ("2023-11", 3, True, ["2023-12", "2024-02", "2024-03"]),  # never 2024-01
        ("2023-12", 2, True, ["2024-02", "2024-03"]),
        ("2023-11", 3, False, ["2023-12", "2024-01", "2024-02"]),
        ("2023Q4", 2, False, ["2024Q1", "2024Q2"]),
    ],
)
def test_published_periods(after: str, horizon: int, combined: bool, expected: list[str]) -> None:
    assert published_periods(after, horizon, combined) == expected


@pytest.mark.parametrize(
    ("name", "end", "horizon", "expected", "seasonal_period"),
    [
        ("industry", "2023-11", 3, ["2023-12", "2024-02", "2024-03"], 11),
        ("exports_combined", "2018-12", 2, ["2019-02", "2019-03"], 11),
        ("exports", "2018-12", 2, ["2019-01", "2019-02"], 12),
    ],
)
def test_projected_periods_are_published_ones(
    request: pytest.FixtureRequest,
    name: str,
    end: str,
    horizon: int,
    expected: list[str],
    seasonal_period: int,
) -> None:
    series = request.getfixturevalue(name)[:end]
    result = project_level(series, horizon, calendar=False)
    assert list(result.index) == expected
    assert result.attrs["seasonal_period"] == seasonal_period
    assert result.attrs["combined"] is (seasonal_period == 11)


def test_outliers_are_held_and_their_effect_recorded(industry: pd.Series) -> None:
    """The 2020 collapse is held by the default regressors: each effect is a fall of the level
    (1—2月 by about a sixth, March about a tenth), clearly significant."""
    result = project_level(industry, 3, calendar=False)
    held = {(o["period"], o["kind"]): o for o in result.attrs["outliers"]}
    assert set(held) == {(o.period, o.kind) for o in DEFAULT_OUTLIERS}
    assert -25 < held["2020-02", "AO"]["effect"] < -12 and held["2020-02", "AO"]["t"] < -3
    assert -20 < held["2020-03", "TC"]["effect"] < -5 and held["2020-03", "TC"]["t"] < -3
    own = project_level(industry, 1, calendar=False, outliers=[Outlier("2020-02", "LS"), "2021-02"])
    assert [(o["period"], o["kind"]) for o in own.attrs["outliers"]] == [
        ("2020-02", "LS"),
        ("2021-02", "AO"),
    ]
    assert project_level(industry, 1, calendar=False, outliers=()).attrs["outliers"] == []
    # outside the sample: nothing to hold
    assert project_level(industry[:"2019-12"], 1, calendar=False).attrs["outliers"] == []


@pytest.mark.parametrize(
    ("outliers", "low", "high"),
    [
        (None, 20.0, 30.0),  # held: 2021's rebound over the collapsed base is foreseen (24.9)
        ((), 5.0, 15.0),  # not held: the collapse leaks into February's seasonal pattern
    ],
)
def test_base_effect_of_2021(industry: pd.Series, outliers: tuple | None, low: float, high: float):
    """Fitted up to 2020-12, the growth projected for 1—2月 2021 against the collapsed base."""
    result = project_growth(industry[:"2020-12"], 1, calendar=False, outliers=outliers)
    assert result.index[0] == "2021-02"
    assert low < result["mean"].iloc[0] < high
    actual = (industry["2021-02"] / industry["2020-02"] - 1) * 100
    assert round(actual, 1) == 24.9


@pytest.mark.parametrize(("calendar", "inside"), [(True, True), (False, False)])
def test_spring_festival_regressors(exports: pd.Series, calendar: bool, inside: bool) -> None:
    """The festival fell on 5 February 2019 (16 February in 2018): February's exports fell 21.2%.
    The 95% interval holds that fall only with the festival and working-day regressors."""
    result = project_growth(exports[:"2018-12"], 2, calendar=calendar, outliers=())
    coefficients = result.attrs["calendar"]
    if calendar:
        assert {"spring_festival", "working_days"} <= set(coefficients)
    else:
        assert coefficients == {}
    low, high = result.loc["2019-02", ["lower", "upper"]]
    assert (low < -21.2 < high) is inside


def test_growth_from_projected_levels(exports: pd.Series) -> None:
    """Growth is the projected level over the PUBLISHED level a year earlier (NBS exports)."""
    result = project_growth(exports[:"2018-12"], 3, calendar=False, outliers=())
    assert list(result.index) == ["2019-01", "2019-02", "2019-03"]
    assert result["base"].tolist() == [2004.91435, 1716.16391, 1741.21483]  # 2018-01…03, 亿美元
    for col in ("mean", "lower", "upper"):
        expected = (result[f"level_{col}"] / result["base"] - 1) * 100
        assert np.allclose(result[col], expected)
    levels = project_level(exports[:"2018-12"], 3, calendar=False, outliers=())
    assert np.allclose(levels["mean"], result["level_mean"])
    # 2019-01 and 2019-03 published: +8.5% and +14.1%, inside the 95% intervals
    actual = (exports["2019-01":"2019-03"].to_numpy() / result["base"].to_numpy() - 1) * 100
    assert np.round(actual, 1).tolist() == [8.5, -21.2, 14.1]
    for k in (0, 2):
        assert result["lower"].iloc[k] < actual[k] < result["upper"].iloc[k]


def test_cumulative_growth_from_cumulated_levels(exports_combined: pd.Series) -> None:
    """1—X月 growth: this year's published months plus the projected ones, over the same months a
    year earlier (1—2月 combined: 1—3月 is two published periods)."""
    series = exports_combined[:"2018-12"]
    cum = project_growth(series, 3, cumulative=True, calendar=False, outliers=())
    cur = project_growth(series, 3, calendar=False, outliers=())
    assert list(cum.index) == ["2019-02", "2019-03", "2019-04"]
    base = [series["2018-02"], series["2018-02"] + series["2018-03"]]
    assert np.allclose(cum["base"].iloc[:2], base)
    assert np.allclose(cum["base"].iloc[2], sum(series[f"2018-0{m}"] for m in (2, 3, 4)))
    # the first step of a year is one period: cumulative = current (simulated vs exact median)
    assert abs(cum["mean"].iloc[0] - cur["mean"].iloc[0]) < 0.5
    assert np.allclose(cum["mean"], (cum["level_mean"] / cum["base"] - 1) * 100)
    # the same seed, the same figures
    again = project_growth(series, 3, cumulative=True, calendar=False, outliers=())
    assert cum["mean"].tolist() == again["mean"].tolist()


@pytest.mark.parametrize("name", ["industry", "exports", "exports_combined"])
@pytest.mark.parametrize("cumulative", [False, True])
def test_intervals_contain_the_median_and_widen(
    request: pytest.FixtureRequest, name: str, cumulative: bool
) -> None:
    series = request.getfixturevalue(name)
    end = series.index[-1] if name == "industry" else "2018-12"
    result = project_growth(series[:end], 6, cumulative=cumulative, calendar=False)
    assert (result["lower"] < result["mean"]).all() and (result["mean"] < result["upper"]).all()
    if not cumulative:  # on the log scale the interval widens step by step
        log_width = np.log(result["level_upper"] / result["level_lower"]).to_numpy()
        assert (np.diff(log_width) > 0).all()
    narrow = project_level(series[:end], 1, calendar=False, level=0.8)
    wide = project_level(series[:end], 1, calendar=False, level=0.99)
    assert wide["lower"].iloc[0] < narrow["lower"].iloc[0] < narrow["upper"].iloc[0]
    assert narrow["upper"].iloc[0] < wide["upper"].iloc[0]


@pytest.mark.parametrize(
    ("change", "kwargs", "words"),
    [
        (lambda s: s.drop("2019-05"), {}, "gaps (missing 2019-05)"),
        (lambda s: s.mask(s.index == "2019-05"), {}, "missing values"),
        (lambda s: s[-20:], {}, "at least three years (33 periods)"),
        (lambda s: -s, {}, "log=True needs positive levels"),
        (lambda s: s, {"horizon": 0}, "horizon must be a whole number of published periods"),
        (lambda s: s, {"horizon": 25}, "horizon must be"),
        (lambda s: s, {"horizon": True}, "horizon must be"),
        (lambda s: s, {"level": 95}, "level must be between 0 and 1"),
        (lambda s: s, {"order": (1, 1)}, "order must be three whole numbers"),
        (lambda s: s, {"seasonal_order": (0, 1, 9)}, "seasonal_order must be"),
        (lambda s: s, {"outliers": [("2020-02", "XX")]}, "kind one of AO, TC, LS"),
        (lambda s: s, {"outliers": ["2020-01"]}, "2020-01 is not a published period"),
        (lambda s: s, {"outliers": ["2020Q1"]}, "not a published period"),
        (lambda s: s, {"horizon": 12}, "use at most 11"),
        (lambda s: s, {"simulations": 10}, "simulations must be"),
        (lambda s: s, {"combined": False}, "no January at all"),
        (lambda s: pd.Series([1.0, 2.0], index=["2020-01", "2020Q1"]), {}, "one frequency"),
        (lambda s: list(s), {}, "must be a pandas Series"),
    ],
)
def test_bad_input_is_refused(industry: pd.Series, change, kwargs: dict, words: str) -> None:
    with pytest.raises(ConfigError, match=f"project_growth: .*{_escape(words)}"):
        project_growth(change(industry), **{"calendar": False, **kwargs})


def _escape(text: str) -> str:
    import re

    return re.escape(text)


def test_combined_true_refuses_january(exports: pd.Series) -> None:
    with pytest.raises(ConfigError, match="combined=True is for a monthly series"):
        project_level(exports, combined=True, calendar=False)


@pytest.fixture(scope="module")
def industry_growth() -> pd.Series:
    """The demo city's published current-month growth at comparable prices (%)."""
    with open_store() as store:
        return store.series("ind_va_growth", "990200", "2017-01", "2023-11")


def test_comparable_levels_carry_the_published_growth(
    industry: pd.Series, industry_growth: pd.Series
) -> None:
    """The first year at its current prices; later years grow by the published real growth."""
    comparable = forecast.comparable_levels(industry, industry_growth)
    assert comparable["2016-02":"2016-12"].tolist() == industry["2016-02":"2016-12"].tolist()
    later = comparable["2017-02":]
    before = comparable.loc[[f"{int(p[:4]) - 1}{p[4:]}" for p in later.index]].to_numpy()
    assert np.allclose((later.to_numpy() / before - 1) * 100, industry_growth.loc[later.index])
    # 2023-11: 64.54 亿元 at current prices, less at 2016's prices (prices rose since)
    assert comparable["2023-11"] < industry["2023-11"]


@pytest.mark.parametrize(
    ("drop", "words"),
    [("2019-05", "2019-05 needs its published growth"), ("2017-02", "2017-02 needs")],
)
def test_comparable_levels_refuse_a_missing_growth(
    industry: pd.Series, industry_growth: pd.Series, drop: str, words: str
) -> None:
    with pytest.raises(ConfigError, match=f"comparable_levels: {words}"):
        forecast.comparable_levels(industry, industry_growth.drop(drop))


@pytest.mark.parametrize(
    ("low", "mean", "high", "expected"),
    [
        (5.06, 7.0, 9.84, "在5.1%～9.8%之间（95%预测区间），中值为增长7.0%，不确定性较大"),
        (-1.24, 1.0, 3.36, "在下降1.2%～增长3.4%之间（95%预测区间），中值为增长1.0%，不确定性较大"),
        (-3.4, -2.3, -1.2, "在下降1.2%～3.4%之间（95%预测区间），中值为下降2.3%，存在一定不确定性"),
        (6.0, 6.5, 7.0, "在6.0%～7.0%之间（95%预测区间），中值为增长6.5%，不确定性较小"),
    ],
)
def test_plain_statement_rates(low, mean, high, expected):
    p = Projection({"mean": [mean], "lower": [low], "upper": [high]}, index=["2023-12"])
    p.attrs.update(level=0.95, unit="%", name="规模以上工业增加值增速", last_period="2023-11")
    text = p.plain_statement(caveat=False)
    assert text == f"按模型测算，12月份规模以上工业增加值增速预计{expected}。"
    assert "-" not in text  # prose never carries a minus sign


@pytest.mark.parametrize(
    ("period", "attrs", "label"),
    [
        ("2024-02", {"combined": True}, "2024年1—2月"),
        ("2024-03", {"combined": True}, "2024年3月份"),
        ("2024-03", {"combined": True, "cumulative": True}, "2024年1—3月"),
        ("2024-02", {"combined": False}, "2024年2月份"),
    ],
)
def test_period_labels(period: str, attrs: dict, label: str) -> None:
    p = Projection({"mean": [1.0], "lower": [0.0], "upper": [2.0]}, index=[period])
    p.attrs.update(attrs, unit="%", last_period="2023-11")
    assert p.label(period, with_year=True) == label
    assert p.plain_statement("增速", caveat=False).startswith(f"按模型测算，{label}增速预计")


def test_plain_statement_levels_and_year_change():
    p = Projection({"mean": [100.0], "lower": [95.0], "upper": [105.0]}, index=["2024-01"])
    p.attrs.update(level=0.95, unit="亿元", name="当月增加值", last_period="2023-12")
    text = p.plain_statement()
    assert text.startswith(
        "按模型测算，2024年1月份当月增加值预计在95.0～105.0亿元之间（95%预测区间）"
    )
    assert "存在一定不确定性" in text and "历史走势外推" in text


@pytest.mark.parametrize(
    ("values", "min_change", "expected"),
    [
        ([1, 2, 3, 2, 1, 2], 0.0, [("2020-03", "峰"), ("2020-05", "谷")]),
        ([1, 2, 3, 2, 1, 2], 1.5, [("2020-03", "峰")]),
        ([1, 2, 3, 4, 5, 6], 0.0, []),
        ([5, 4, 3, 3.5, 3.2, 6], 1.0, [("2020-03", "谷")]),  # the 0.5 wiggle is no turn
    ],
)
def test_turning_points(values, min_change, expected):
    series = pd.Series([float(v) for v in values], index=_months(2020, len(values)))
    result = turning_points(series, min_change)
    assert list(zip(result["period"], result["kind"], strict=True)) == expected


def test_doctests():
    assert doctest.testmod(forecast).failed == 0
