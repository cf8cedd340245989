from __future__ import annotations

import pytest

from statlib import periods
from statlib.errors import ConfigError


@pytest.mark.parametrize(
    ("period", "kwargs", "expected"),
    [
        ("2022-11", {}, "1—11月"),
        ("2022-02", {}, "1—2月"),
        ("2022-01", {"combined": True}, "1—2月"),  # said on purpose, never silently
        ("2022-01", {"cumulative": False}, "1月份"),
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


# ---- Period: what callers compute, in one place (issue 13, item 1) ---------------------------


@pytest.mark.parametrize(
    ("text", "first", "last", "months", "prev", "prev_single", "last_year"),
    [
        ("2023-11", 11, 11, ["2023-11"], "2023-10", "2023-10", "2022-11"),
        ("2023-02", 2, 2, ["2023-02"], "2022-12", "2023-01", "2022-02"),
        ("2023-01", 1, 1, ["2023-01"], "2022-12", "2022-12", "2022-01"),
        ("2023Q1", 1, 3, ["2023-01", "2023-02", "2023-03"], "2022Q4", "2022Q4", "2022Q1"),
        ("2023Q3", 7, 9, ["2023-07", "2023-08", "2023-09"], "2023Q2", "2023Q2", "2022Q3"),
        ("2023", 1, 12, [f"2023-{m:02d}" for m in range(1, 13)], "2022", "2022", "2022"),
    ],
)
def test_period_carries_months_and_comparable_periods(
    text: str,
    first: int,
    last: int,
    months: list[str],
    prev: str,
    prev_single: str,
    last_year: str,
) -> None:
    p = periods.Period.parse(text)
    assert (p.first_month, p.last_month) == (first, last)
    assert [str(m) for m in p.months] == months
    assert p.span == (p.year * 12 + first - 1, p.year * 12 + last - 1)
    assert str(p.previous()) == prev == periods.previous(text)
    assert str(p.previous(cumulative=False)) == prev_single
    assert str(p.same_period_last_year()) == last_year == periods.same_period_last_year(text)
    if p.freq == "M" and p.sub == 1:  # January alone has no cumulative label
        with pytest.raises(ConfigError, match="January is not published on its own"):
            p.label(with_year=True)
        assert p.label(with_year=True, combined=True) == "2023年1—2月"
    else:
        assert p.label(with_year=True) == periods.label(text, with_year=True)


@pytest.mark.parametrize(
    ("text", "kwargs"),
    [("2023-01", {}), ("2023-01", {"with_year": True}), ("2020-01", {"cumulative": True})],
)
def test_label_of_january_alone_is_refused(text: str, kwargs: dict) -> None:
    """January is published with February as 1—2月 (CONVENTIONS §1): no silent 1—2月."""
    with pytest.raises(ConfigError, match=r"use period \d{4}-02.*combined=True"):
        periods.label(text, **kwargs)


@pytest.mark.parametrize(
    ("text", "pandas", "freqstr", "after"),
    [
        ("2023-11", "2023-11", "M", "2023-12"),
        ("2023-12", "2023-12", "M", "2024-01"),
        ("2023Q3", "2023Q3", "Q-DEC", "2023Q4"),
        ("2023", "2023", "Y-DEC", "2024"),
    ],
)
def test_period_to_pandas_and_back(text: str, pandas: str, freqstr: str, after: str) -> None:
    p = periods.parse(text)
    q = p.to_pandas()
    assert (str(q), q.freqstr) == (pandas, freqstr)
    assert periods.Period.from_pandas(q) == p
    assert str(periods.Period.from_pandas(q + 1)) == after


@pytest.mark.parametrize("freq", ["Q-NOV", "W-SUN", "D"])
def test_from_pandas_refuses_non_calendar_periods(freq: str) -> None:
    import pandas as pd

    with pytest.raises(ConfigError, match=f"frequency {freq}.*2022Q3"):
        periods.Period.from_pandas(pd.Period("2023-11-15", freq=freq))


def test_periods_order_by_their_last_month_then_their_first() -> None:
    mixed = ["2023-12", "2023Q4", "2023", "2022-12", "2023-01", "2023Q1"]
    ordered = [str(p) for p in sorted(periods.parse(t) for t in mixed)]
    assert ordered == ["2022-12", "2023-01", "2023Q1", "2023", "2023Q4", "2023-12"]
    assert periods.parse("2023-02") < periods.parse("2023-11") <= periods.parse("2023年11月")
    assert periods.parse("2023Q3") > periods.parse("2023-08")


@pytest.mark.parametrize(
    ("value", "where", "message"),
    [
        ("2023-13", None, "period '2023-13': month must be 01…12"),
        ("2023/11", "--period", "--period: unknown period format '2023/11'"),
        (23, "params/x.yaml: period", "params/x.yaml: period: period 23 is no year"),
        (True, None, "must be a string such as '2022-11', not True"),
        (None, "the release", "the release: period must be a string"),
    ],
)
def test_bad_periods_name_where_and_the_accepted_forms(value, where, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        periods.parse(value, where=where)
    assert message in str(info.value)
    assert periods.FORMS in str(info.value)


def test_a_year_may_be_an_int() -> None:
    assert periods.parse(2023) == periods.Period(2023, "A")


def test_period_click_type_parses_once_and_refuses_with_the_forms() -> None:
    import click
    from click.testing import CliRunner

    @click.command()
    @click.option("--period", type=periods.PERIOD)
    def show(period: periods.Period) -> None:
        click.echo(f"{type(period).__name__} {period} {period.label(with_year=True)}")

    runner = CliRunner()
    ok = runner.invoke(show, ["--period", "2023年第三季度"])
    assert (ok.exit_code, ok.output) == (0, "Period 2023Q3 2023年前三季度\n")
    bad = runner.invoke(show, ["--period", "2023-13"])
    assert bad.exit_code == 2
    assert "Invalid value for '--period'" in bad.output and periods.FORMS in bad.output


@pytest.mark.parametrize("text", ["2023-01", "2023-11", "2023Q1", "2023Q4", "2023", "1999-12"])
def test_sql_end_and_freq_decode_a_stored_period_as_period_does(text: str) -> None:
    import duckdb

    con = duckdb.connect()
    sql = f"SELECT {periods.sql_end('p')}, {periods.sql_freq('p')} FROM (SELECT ? AS p)"
    p = periods.parse(text)
    assert con.execute(sql, [text]).fetchone() == (p.span[1], p.freq)
