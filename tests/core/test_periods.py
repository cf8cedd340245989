from __future__ import annotations

import pytest

from statlib import periods
from statlib.errors import ConfigError


@pytest.mark.parametrize(
    ("period", "kwargs", "expected"),
    [
        ("2022-11", {}, "1—11月"),
        ("2022-02", {}, "1—2月"),
        ("2022-01", {}, "1—2月"),
        ("2022-03", {}, "1—3月"),
        ("2022-12", {}, "1—12月"),
        ("2022-11", {"cumulative": False}, "11月份"),
        ("2022-01", {"cumulative": False}, "1月份"),
        ("2022Q1", {}, "一季度"),
        ("2022Q2", {}, "上半年"),
        ("2022Q3", {}, "前三季度"),
        ("2022Q4", {}, "全年"),
        ("2022Q3", {"cumulative": False}, "三季度"),
        ("2022", {}, "2022年"),
        ("2022-11", {"with_year": True}, "2022年1—11月"),
        ("2022Q3", {"with_year": True}, "2022年前三季度"),
        ("2020年2月", {}, "1—2月"),
        ("2020年第三季度", {}, "前三季度"),
    ],
)
def test_label(period: str, kwargs: dict, expected: str) -> None:
    assert periods.label(period, **kwargs) == expected


def test_label_uses_em_dash() -> None:
    assert "\u2014" in periods.label("2022-11")


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("2022-11", "2022-11"),
        ("2022-1", "2022-01"),
        ("2022Q3", "2022Q3"),
        ("2022q3", "2022Q3"),
        ("2022", "2022"),
        ("2022年", "2022"),
        ("2020年2月", "2020-02"),
        ("2020年11月份", "2020-11"),
        ("2020年第一季度", "2020Q1"),
        ("2020年1季度", "2020Q1"),
        (" 2022-11 ", "2022-11"),
    ],
)
def test_parse(text: str, canonical: str) -> None:
    assert str(periods.parse(text)) == canonical


@pytest.mark.parametrize("bad", ["2022-13", "2022-00", "22年", "2022/11", "2022Q5", "", "Nov 2022"])
def test_parse_rejects(bad: str) -> None:
    with pytest.raises(ConfigError, match="2022-11"):
        periods.parse(bad)


@pytest.mark.parametrize(
    ("period", "cumulative", "expected"),
    [
        ("2022-11", True, "2022-10"),
        ("2022-03", True, "2022-02"),
        ("2022-02", True, "2021-12"),
        ("2022-03", False, "2022-02"),
        ("2022-01", False, "2021-12"),
        ("2022Q1", True, "2021Q4"),
        ("2022Q3", True, "2022Q2"),
        ("2022", True, "2021"),
    ],
)
def test_previous(period: str, cumulative: bool, expected: str) -> None:
    assert periods.previous(period, cumulative=cumulative) == expected


@pytest.mark.parametrize(
    ("period", "expected"), [("2022-11", "2021-11"), ("2022Q3", "2021Q3"), ("2022", "2021")]
)
def test_same_period_last_year(period: str, expected: str) -> None:
    assert periods.same_period_last_year(period) == expected


def test_range_and_order() -> None:
    months = ["2022-11", "2022-12", "2023-01", "2023-02"]
    assert periods.period_range("2022-11", "2023-02") == months
    assert periods.period_range("2022Q3", "2023Q1") == ["2022Q3", "2022Q4", "2023Q1"]
    assert sorted(["2022-11", "2022-02", "2021-12"], key=periods.parse) == [
        "2021-12",
        "2022-02",
        "2022-11",
    ]
    with pytest.raises(ConfigError, match="different frequencies"):
        periods.period_range("2022-01", "2022Q4")


def test_year_cn() -> None:
    assert periods.year_cn(2023) == "二〇二三"
