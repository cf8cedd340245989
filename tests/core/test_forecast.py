"""Projection (ETS, ARIMA), STL seasonal adjustment and turning points on synthetic series."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from statlib import forecast
from statlib.errors import ConfigError
from statlib.forecast import (
    Projection,
    monthly_from_combined,
    project,
    seasonal_adjust,
    turning_points,
)


def _months(start_year: int, n: int) -> list[str]:
    return [f"{start_year + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


def _linear(n: int = 60, slope: float = 0.5, noise: float = 0.1, seed: int = 0) -> pd.Series:
    """10 + slope·t with small noise: the known trend continues after the sample."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return pd.Series(10 + slope * t + rng.normal(0, noise, n), index=_months(2018, n))


def _seasonal(n: int = 72, seed: int = 1) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    trend = 100 + 0.5 * t
    season = 5 * np.sin(2 * np.pi * t / 12)
    return pd.Series(trend + season + rng.normal(0, 0.3, n), index=_months(2017, n)), trend, season


@pytest.mark.parametrize("method", ["ets", "arima"])
def test_projection_follows_a_known_linear_trend(method: str):
    series = _linear()
    result = project(series, 3, method)
    assert isinstance(result, Projection)
    assert list(result.index) == ["2023-01", "2023-02", "2023-03"]
    truth = 10 + 0.5 * np.arange(60, 63)
    assert np.allclose(result["mean"], truth, atol=0.6)
    assert (result["lower"] < truth).all() and (truth < result["upper"]).all()
    assert (result["lower"] < result["mean"]).all() and (result["mean"] < result["upper"]).all()
    widths = (result["upper"] - result["lower"]).to_numpy()
    assert widths[0] <= widths[-1]  # uncertainty grows with the horizon


def test_wider_level_wider_interval():
    series = _linear(noise=0.5)
    narrow = project(series, 1, level=0.8)
    wide = project(series, 1, level=0.99)
    assert (wide["upper"] - wide["lower"]).iloc[0] > (narrow["upper"] - narrow["lower"]).iloc[0]


def test_seasonal_ets_on_levels():
    series, _, _ = _seasonal()
    result = project(series, 12, seasonal=True, unit="亿元")
    t = np.arange(72, 84)
    truth = 100 + 0.5 * t + 5 * np.sin(2 * np.pi * t / 12)
    assert np.abs(result["mean"].to_numpy() - truth).max() < 2.0


def test_quarterly_index():
    series = pd.Series(
        np.arange(12, dtype=float) + 5, index=[f"{2020 + i // 4}Q{i % 4 + 1}" for i in range(12)]
    )
    assert list(project(series, 2, "arima").index) == ["2023Q1", "2023Q2"]


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


def test_plain_statement_levels_and_year_change():
    p = Projection({"mean": [100.0], "lower": [95.0], "upper": [105.0]}, index=["2024-01"])
    p.attrs.update(level=0.95, unit="亿元", name="当月增加值", last_period="2023-12")
    text = p.plain_statement()
    assert text.startswith(
        "按模型测算，2024年1月份当月增加值预计在95.0～105.0亿元之间（95%预测区间）"
    )
    assert "存在一定不确定性" in text and "历史走势外推" in text


def test_seasonal_adjust_recovers_trend_and_season():
    series, trend, season = _seasonal()
    result = seasonal_adjust(series)
    assert list(result.columns) == ["observed", "trend", "seasonal", "resid", "adjusted"]
    middle = slice(12, 60)
    assert np.abs(result["trend"].to_numpy()[middle] - trend[middle]).max() < 0.5
    assert np.abs(result["seasonal"].to_numpy()[middle] - season[middle]).max() < 0.6
    assert np.allclose(result["adjusted"], result["observed"] - result["seasonal"])
    assert np.allclose(result[["trend", "seasonal", "resid"]].sum(axis=1), result["observed"])


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


def test_monthly_from_combined():
    rate = pd.Series([4.2, 7.4], index=["2023-02", "2023-03"])
    assert monthly_from_combined(rate).to_dict() == {"2023-01": 4.2, "2023-02": 4.2, "2023-03": 7.4}
    level = pd.Series([10.0, 6.0], index=["2023-02", "2023-03"])
    assert monthly_from_combined(level, "level")["2023-01"] == 5.0


@pytest.mark.parametrize(
    ("series", "kwargs", "word"),
    [
        (_linear().drop("2019-01"), {}, "monthly_from_combined"),
        (_linear(), {"method": "prophet"}, "method"),
        (_linear(), {"horizon": 0}, "horizon"),
        (_linear(), {"level": 95}, "level"),
        (_linear(6), {}, "at least"),
        (_linear().mask(lambda s: s.index == "2020-05"), {}, "missing values"),
    ],
)
def test_bad_input(series, kwargs, word):
    with pytest.raises(ConfigError, match=word):
        project(series, **kwargs)


def test_doctests():
    assert doctest.testmod(forecast).failed == 0
