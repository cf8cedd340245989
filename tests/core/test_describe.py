"""phrase.describe on a small store whose every figure is known by hand."""

from __future__ import annotations

import pytest

from statlib import DataError, phrase
from statlib.store.store import Store

# ``small_store``: tests/core/conftest.py (tests/fixtures/describe, every figure known by hand)


@pytest.mark.parametrize(
    ("indicator", "region", "period", "kwargs", "sentence"),
    [
        # the standard sentence: growth only (CONVENTIONS §6), change, rank of 4, region above
        (
            "规模以上工业增加值",
            "云川市",
            "2022-11",
            {},
            "1—11月，全市规模以上工业增加值按可比价格计算，同比增长7.2%，增速比1—10月加快0.3个百分点，"
            "居全区第4位，高于全区1.2个百分点。",
        ),
        (
            "ind_va_cum_growth",
            "990200",
            "2022-11",
            {"parts": ("growth",)},
            "1—11月，全市规模以上工业增加值按可比价格计算，同比增长7.2%。",
        ),
        # ranks on published (rounded) figures: 7.24 and 7.15 both read 7.2 and share 2nd place
        (
            "ind_va_cum_growth",
            "990200",
            "2022-09",
            {"parts": ("growth", "rank")},
            "1—9月，全市规模以上工业增加值按可比价格计算，同比增长7.2%，居全区第2位。",
        ),
        # level with unit, price basis for GDP, both negative → 降幅收窄
        (
            "地区生产总值",
            "云川市",
            "2022Q3",
            {},
            "前三季度，全市地区生产总值2076.15亿元，按不变价格计算，同比下降1.5%，"
            "降幅比上半年收窄0.7个百分点。",
        ),
        # prices: 上涨/下降 and a sign change spelled out
        (
            "居民消费价格指数",
            "云川市",
            "2022-11",
            {},
            "11月份，全市居民消费价格指数同比下降0.2%，由上月上涨0.2%转为下降0.2%。",
        ),
        # 1—2月 compares with the previous year as a whole
        (
            "固定资产投资",
            "云川市",
            "2022-02",
            {},
            "1—2月，全市固定资产投资54.82亿元，同比增长5.5%，增速比上年全年回落13.8个百分点。",
        ),
        # a stock at month end
        (
            "deposits",
            "云川市",
            "2022-11",
            {},
            "11月末，全市金融机构存款余额3954.64亿元，同比增长8.8%，增速比上月回落0.4个百分点。",
        ),
        # a stock in March compares with the previous month, not with 1—2月
        (
            "deposits",
            "云川市",
            "2022-03",
            {},
            "3月末，全市金融机构存款余额3763.55亿元，同比增长9.7%，增速比上月回落0.7个百分点。",
        ),
        # the fourth quarter is the whole year: 全年…比上年
        (
            "地区生产总值",
            "云川市",
            "2022Q4",
            {},
            "全年，全市地区生产总值2846.39亿元，按不变价格计算，比上年增长8.0%，"
            "由前三季度下降1.5%转为增长8.0%。",
        ),
        # a county: 全区 as subject, ranked among the city's counties, compared with the city
        (
            "ind_va_cum_growth",
            "川东区",
            "2022-11",
            {},
            "1—11月，全区规模以上工业增加值按可比价格计算，同比下降3.0%，由1—10月增长2.0%转为下降3.0%，"
            "居全市第2位，低于全市10.2个百分点。",
        ),
        (
            "ind_va_cum_growth",
            "川东区",
            "2022-11",
            {"subject": "川东区", "parts": ("growth",)},
            "1—11月，川东区规模以上工业增加值按可比价格计算，同比下降3.0%。",
        ),
    ],
)
def test_describe(
    small_store: Store, indicator: str, region: str, period: str, kwargs: dict, sentence: str
) -> None:
    assert phrase.describe(small_store, indicator, region, period, **kwargs) == sentence


def test_describe_missing_figure(small_store: Store) -> None:
    with pytest.raises(DataError, match="no 地区生产总值增长 for 甲市 in 2022Q3"):
        phrase.describe(small_store, "gdp", "990100", "2022Q3")


def test_describe_on_demo_data() -> None:
    from statlib import open_store

    with open_store() as demo:
        text = phrase.describe(demo, "规模以上工业增加值", "云川市", "2023-11")
    assert text.startswith("1—11月，全市规模以上工业增加值按可比价格计算，同比")
    assert "居全区第" in text and text.endswith("。")
