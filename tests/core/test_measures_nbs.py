"""The measures releases use every month, on real NBS data (data/nbs/, PROVENANCE.md there):
1—X月平均 of the CPI, 环比 of exports and imports, pulls and contribution rates of the three
industries at comparable prices, and one number of decimals for a pull in a table and its text."""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from statlib import measures, periods, phrase, tables
from statlib.errors import ConfigError
from statlib.ingest import read
from statlib.measures import fmt

NBS = Path(__file__).resolve().parents[2] / "data" / "nbs"
CPI_FILE = "月度数据_全国CPI分类.csv"
CPI = "居民消费价格指数"


@functools.cache
def _frame(file: str) -> pd.DataFrame:
    """The file as statlib's own reader reads it, periods in their stored form."""
    frame = read(NBS / file).frame
    assert frame is not None
    return frame.assign(key=[str(periods.parse(p)) for p in frame["period"]])


def nbs(file: str, indicator: str) -> pd.Series:
    """One national series of an NBS file, indexed by ``YYYY-MM`` or ``YYYY`` in calendar order."""
    frame = _frame(file)
    rows = frame[frame["indicator"] == indicator]
    assert len(rows), f"{indicator} not in {file}"
    return rows.set_index("key")["value"].astype(float).sort_index().rename(indicator)


# ---- 1—X月平均 ---------------------------------------------------------------------------------


# NBS published: 2016–2019 全年 CPI 上涨2.0%, 1.6%, 2.1%, 2.9% (statistical communiqués); 2019
# 1—9月平均 上涨2.5% (NBS release of 2019-10-15, "2019年9月份居民消费价格同比上涨3.0%"). The
# simple average of the monthly indices matches the whole years and misses 1—9月 2019 by 0.1:
# NBS's 1—X月 index is the ratio of the average price levels (base="fixed"), not the mean of
# the monthly year-on-year indices.
@pytest.mark.parametrize(
    ("month", "simple", "published"),
    [
        ("2016-12", "102.0", "102.0"),
        ("2017-12", "101.6", "101.6"),  # 101.55 exactly: the tie rounds up
        ("2018-12", "102.1", "102.1"),
        ("2019-12", "102.9", "102.9"),
        ("2019-09", "102.4", "102.5"),  # the weighting shows
        ("2018-01", "101.5", None),  # 1月: the month itself
        ("2018-02", "102.2", None),
        ("2018-06", "102.0", None),
        ("2019-06", "102.2", None),
        ("2020-02", "105.3", None),  # restarts in January: (105.4 + 105.2) / 2
    ],
)
def test_cpi_cumulative_average(month: str, simple: str, published: str | None) -> None:
    average = measures.cumulative_average(nbs(CPI_FILE, CPI))
    assert fmt(average[month]) == simple
    if published is not None:
        assert abs(Decimal(simple) - Decimal(published)) <= Decimal("0.1")


@pytest.mark.parametrize(
    ("category", "y2018", "y2019"),
    [
        ("食品烟酒类居民消费价格指数", "101.8", "107.0"),
        ("衣着类居民消费价格指数", "101.2", "101.6"),
        ("居住类居民消费价格指数", "102.4", "101.4"),
        ("生活用品及服务类居民消费价格指数", "101.6", "100.9"),  # 2018: 101.55, a tie
        ("交通和通信类居民消费价格指数", "101.7", "98.3"),
        ("教育文化和娱乐类居民消费价格指数", "102.2", "102.2"),
        ("医疗保健类居民消费价格指数", "104.4", "102.4"),
        ("其他用品和服务类居民消费价格指数", "101.2", "103.4"),
    ],
)
def test_cpi_categories_whole_year(category: str, y2018: str, y2019: str) -> None:
    """Simple averages of the eight categories (not checked against a publication)."""
    average = measures.cumulative_average(nbs(CPI_FILE, category))
    assert (fmt(average["2018-12"]), fmt(average["2019-12"])) == (y2018, y2019)


def test_fixed_base_is_the_ratio_of_price_levels() -> None:
    """With a fixed-base index built from the real 2019 CPI (2018's months at 100), the ratio of
    sums equals the simple average; with last year's levels unequal it is the average of the
    year-on-year indices weighted by them — the 2019 figures moved by that weighting."""
    yoy = nbs(CPI_FILE, CPI)
    months = [f"2019-{m:02d}" for m in range(1, 13)]
    last_year = pd.Series(100.0, index=[f"2018-{m:02d}" for m in range(1, 13)])
    equal = pd.concat([last_year, yoy[months]])  # 2019's level = 2018's level × yoy / 100
    simple = measures.cumulative_average(yoy)[months]
    assert measures.cumulative_average(equal, base="fixed")[months].round(9).tolist() == (
        simple.round(9).tolist()
    )
    rising = pd.Series([100.0 + m for m in range(12)], index=last_year.index)
    weighted = pd.concat(
        [rising, pd.Series(rising.to_numpy() * yoy[months].to_numpy() / 100, months)]
    )
    ratio = measures.cumulative_average(weighted, base="fixed")["2019-09"]
    by_weight = (yoy[months[:9]] * rising.to_numpy()[:9]).sum() / rising.to_numpy()[:9].sum()
    assert ratio == pytest.approx(by_weight)
    assert ratio > simple["2019-09"]  # later, higher-weighted months rose more in 2019


@pytest.mark.parametrize(
    ("drop", "base", "nan_from"),
    [
        ("2019-03", "same_month", "2019-03"),  # a gap: the rest of the year is unknown
        ("2018-05", "fixed", "2019-05"),  # last year's month missing: no ratio from May
    ],
)
def test_a_missing_month_leaves_the_rest_of_the_year_blank(
    drop: str, base: str, nan_from: str
) -> None:
    yoy = nbs(CPI_FILE, CPI)
    series = yoy.drop(drop)
    average = measures.cumulative_average(series, base=base)
    year = nan_from[:4]
    months = [m for m in average.index if m.startswith(year)]
    blank = [m for m in months if m >= nan_from]
    assert average[blank].isna().all()
    assert average[[m for m in months if m < nan_from]].notna().all()


def test_cumulative_average_refuses_an_unknown_base() -> None:
    with pytest.raises(ConfigError, match=r"base must be 'same_month'.*got '上年同月=100'"):
        measures.cumulative_average(nbs(CPI_FILE, CPI), base="上年同月=100")


# ---- 环比 ----------------------------------------------------------------------------------------

EXPORTS, IMPORTS = "出口总值当期值", "进口总值当期值"


@pytest.mark.parametrize(
    ("indicator", "month", "expected"),
    [
        (EXPORTS, "2019-02", "-37.9"),  # Spring Festival on 5 February 2019
        (EXPORTS, "2019-01", "-1.7"),  # January against the December before
        (EXPORTS, "2018-03", "1.5"),
        (EXPORTS, "2019-12", "7.6"),
        (EXPORTS, "2016-01", ""),  # the file's first month: no predecessor
        (IMPORTS, "2018-03", "29.9"),
        (IMPORTS, "2019-02", "-26.5"),
        (IMPORTS, "2017-01", "-22.1"),
    ],
)
def test_mom_from_levels(indicator: str, month: str, expected: str) -> None:
    assert fmt(measures.mom(nbs(CPI_FILE, indicator))[month]) == expected


@pytest.mark.parametrize("kind", ["level", "fixed", "chained"])
def test_mom_agrees_across_levels_fixed_and_chained_indices(kind: str) -> None:
    """The real exports as levels, as a fixed-base index (2016-01 = 100) and as a chained index
    (上月=100): the same 环比 from each."""
    levels = nbs(CPI_FILE, EXPORTS)
    given = {
        "level": levels,
        "fixed": levels / levels.iloc[0] * 100,
        "chained": (levels / levels.shift(1) * 100).dropna(),
    }[kind]
    got = measures.mom(given, kind)
    expected = measures.mom(levels).reindex(got.index)
    assert got.round(9).tolist() == pytest.approx(expected.round(9).tolist(), nan_ok=True)


def test_2020_exports_have_no_mom_after_the_combined_months() -> None:
    """Customs published 2020's January and February only together: the file leaves both months
    empty, so neither they nor a March would have a 环比."""
    exports = nbs(CPI_FILE, EXPORTS)
    assert "2020-01" not in exports.index and "2020-02" not in exports.index
    extended = pd.concat([exports, pd.Series([185000000.0], ["2020-03"])])
    assert pd.isna(measures.mom(extended)["2020-03"])


@pytest.mark.parametrize(
    ("kind", "march"),
    [("level", None), ("fixed", None), ("chained", "3.5")],
)
def test_mom_with_a_combined_first_two_months(kind: str, march: str | None) -> None:
    """Read as an indicator published 1—2月 combined (January dropped, February = 1—2月): no 环比
    for February, none for March from levels, the chained March index kept."""
    exports = nbs(CPI_FILE, EXPORTS)
    year = exports[[m for m in exports.index if m.startswith("2019") and m != "2019-01"]]
    series = year if kind != "chained" else pd.Series([95.0, 103.5, 101.0], year.index[:3])
    got = measures.mom(series, kind, combined_first=True)
    assert pd.isna(got["2019-02"])
    assert fmt(got["2019-03"]) == (march or "")
    if kind == "level":
        assert fmt(got["2019-04"]) == fmt((year["2019-04"] / year["2019-03"] - 1) * 100)
    with pytest.raises(ConfigError, match=r"2019-01 is January, which is published only as 1—2月"):
        measures.mom(exports[exports.index.str.startswith("2019")], kind, combined_first=True)


def test_mom_refuses_an_unknown_kind() -> None:
    with pytest.raises(ConfigError, match=r"kind must be one of level, fixed, chained"):
        measures.mom(nbs(CPI_FILE, EXPORTS), "上月=100")


# ---- contributions at comparable prices ---------------------------------------------------------

ANNUAL = "年度数据.csv"
INDUSTRIES = {
    "第一产业": "第一产业增加值",
    "第二产业": "第二产业增加值",
    "第三产业": "第三产业增加值",
}
# Real growth in 2023 at comparable prices, NBS 《2023年国民经济和社会发展统计公报》
# (2024-02-29): GDP 5.2%, 第一产业 4.1%, 第二产业 4.7%, 第三产业 5.8%.
GROWTH_2023 = {"第一产业": 4.1, "第二产业": 4.7, "第三产业": 5.8}
GDP_GROWTH_2023 = 5.2


def levels(year: str) -> pd.Series:
    return pd.Series({part: nbs(ANNUAL, name)[year] for part, name in INDUSTRIES.items()})


# The 2022 levels of 年度数据.csv are those revised after the fifth economic census, and the
# growth rates are rounded to one decimal, so NBS's own rates are not reproduced: NBS gave the
# tertiary industry 60.2% for 2023 (新中国75年经济社会发展成就系列报告之四, 2024-09-11) on the
# structure before that revision. These figures are statlib's, asserted for what they are.
@pytest.mark.parametrize(
    ("part", "share", "pull", "rate", "rate_published_gdp"),
    [
        ("第一产业", "7.1", "0.29", "5.6", "5.6"),
        ("第二产业", "37.9", "1.78", "33.8", "34.3"),
        ("第三产业", "55.0", "3.19", "60.6", "61.3"),
    ],
)
def test_contributions_of_the_three_industries_2023(
    part: str, share: str, pull: str, rate: str, rate_published_gdp: str
) -> None:
    own = measures.contributions(levels("2022"), GROWTH_2023)
    assert (fmt(own.loc[part, "share"]), fmt(own.loc[part, "pull"], 2)) == (share, pull)
    assert fmt(own.loc[part, "contribution"]) == rate
    gdp = nbs(ANNUAL, "国内生产总值")["2022"]
    official = measures.contributions(
        levels("2022"), GROWTH_2023, total_growth=GDP_GROWTH_2023, base_total=gdp
    )
    assert fmt(official.loc[part, "contribution"]) == rate_published_gdp


def test_contribution_identities() -> None:
    own = measures.contributions(levels("2022"), GROWTH_2023)
    assert own["share"].sum() == pytest.approx(100)
    assert own["contribution"].sum() == pytest.approx(100)
    assert own["pull"].sum() == pytest.approx(own.attrs["total_growth"])
    assert fmt(own.attrs["total_growth"], 2) == "5.26"  # the aggregate of the parts
    assert (own["pull"] == own["share"] * own["growth"] / 100).all()
    assert list(own.index) == list(INDUSTRIES)


def test_real_contributions_are_not_nominal_increments() -> None:
    """The nominal increase of 2023 gives the tertiary industry 84.6% of the growth; at
    comparable prices it is 60.6%: prices, not volume, made most of the difference."""
    nominal_delta = levels("2023") - levels("2022")
    nominal = measures.contribution(nominal_delta, nominal_delta.sum())
    real = measures.contributions(levels("2022"), GROWTH_2023)["contribution"]
    assert [fmt(x) for x in nominal] == ["1.6", "13.8", "84.6"]
    assert [fmt(x) for x in real] == ["5.6", "33.8", "60.6"]


@pytest.mark.parametrize(
    ("levels_", "growth", "kwargs", "message"),
    [
        ({"a": 1.0}, {"b": 2.0}, {}, r"same parts; only in base_levels: \['a'\]"),
        ({"a": 1.0, "b": 3.0}, {"a": 1.0, "b": 2.0}, {"base_total": 5.0}, r"give total_growth"),
        ({"a": -1.0}, {"a": 1.0}, {}, r"base total must be positive"),
        ({"a": "x"}, {"a": 1.0}, {}, r"base_levels must hold numbers only"),
        ({}, {}, {}, r"must name each part once"),
    ],
)
def test_contributions_refuse_bad_input(
    levels_: dict, growth: dict, kwargs: dict, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        measures.contributions(levels_, growth, **kwargs)


def test_missing_growth_and_zero_total_give_blanks() -> None:
    missing = measures.contributions(levels("2022"), {**GROWTH_2023, "第一产业": None})
    assert missing["pull"].isna().tolist() == [True, False, False]
    assert missing["contribution"].isna().all()  # the aggregate is unknown
    flat = measures.contributions(levels("2022"), dict.fromkeys(GROWTH_2023, 0.0))
    assert flat["pull"].tolist() == [0.0, 0.0, 0.0] and flat["contribution"].isna().all()


# ---- one number of decimals for a pull, in the table and in the text -----------------------------


@pytest.mark.parametrize(
    ("pulls", "decimals"),
    [
        ([0.29, 1.78, 3.19], 1),  # the three industries, 2023
        ([0.08, 0.89, 2.52], 1),  # 0.08 reads 0.1: one decimal keeps it visible
        ([0.35, 0.12, -0.04], 2),  # -0.04 would read 0.0
        ([0.004, 1.2], 2),
        ([0.0, 1.2], 1),  # an exact zero reads 0.0 at any decimals
        ([None, float("nan"), 1.2], 1),
        ([], 1),
    ],
)
def test_pull_decimals(pulls: list, decimals: int) -> None:
    assert measures.pull_decimals(pulls) == decimals
    assert measures.pull_decimals(pd.Series(pulls, dtype=float)) == decimals


@pytest.mark.parametrize(
    ("growth", "expected"),
    [
        (GROWTH_2023, ["0.3", "1.8", "3.2"]),
        ({"第一产业": 0.5, "第二产业": 4.7, "第三产业": 5.8}, ["0.04", "1.78", "3.19"]),
    ],
)
def test_table_and_prose_print_the_same_pull(growth: dict, expected: list[str]) -> None:
    """The pulls of a table column and of the sentence beside it, through pull_decimals and
    phrase.pull: the same figures, whatever their size."""
    pulls = measures.contributions(levels("2022"), growth)["pull"]
    dp = measures.pull_decimals(pulls)
    table = tables.Table("三次产业拉动").columns(tables.col("拉动(个百分点)", dp))
    for part, value in pulls.items():
        table = table.row(str(part), [value])
    column = [line.split(",")[-1] for line in table.to_csv().splitlines()[1:]]
    words = [phrase.pull(v, "国内生产总值", decimals=dp) for v in pulls]
    assert column == expected
    assert words == [f"拉动国内生产总值增长{x}个百分点" for x in expected]
