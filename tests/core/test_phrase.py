"""Chinese wording: growth, change of rates, ranks, comparison with a reference region."""

from __future__ import annotations

import doctest
import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from statlib import phrase
from statlib.errors import ConfigError

NAN = float("nan")


@pytest.mark.parametrize(
    ("rate", "kwargs", "expected"),
    [
        (7.2, {}, "增长7.2%"),
        (10.1, {}, "增长10.1%"),
        (6.0, {}, "增长6.0%"),  # trailing zero kept
        (6, {}, "增长6.0%"),
        (-1.8, {}, "下降1.8%"),
        (-19.4, {}, "下降19.4%"),
        (0.0, {}, "持平"),
        (-0.0, {}, "持平"),
        (0.04, {}, "持平"),  # zero after rounding
        (-0.04, {}, "持平"),
        (0.05, {}, "增长0.1%"),  # x.x5 half-up
        (-0.05, {}, "下降0.1%"),
        (2.25, {}, "增长2.3%"),
        (-2.25, {}, "下降2.3%"),
        (7.249, {}, "增长7.2%"),
        (7.25, {}, "增长7.3%"),
        (0.1 + 0.2, {}, "增长0.3%"),
        (99.9, {}, "增长99.9%"),
        (99.94, {}, "增长99.9%"),
        (99.95, {}, "增长1.0倍"),  # shown as 100.0 → times
        (100.0, {}, "增长1.0倍"),  # exactly 100%
        (110.0, {}, "增长1.1倍"),
        (170.0, {}, "增长1.7倍"),  # 利润总额增长2.7倍 style
        (270.0, {}, "增长2.7倍"),
        (1234.0, {}, "增长12.3倍"),
        (107.0, {"times_from": None}, "增长107.0%"),
        (107.0, {"times_from": 200.0}, "增长107.0%"),
        (250.0, {"times_from": 200.0}, "增长2.5倍"),
        (-100.0, {}, "下降100.0%"),
        (7.25, {"decimals": 2}, "增长7.25%"),
        (7.255, {"decimals": 2}, "增长7.26%"),
        (7.0, {"decimals": 0}, "增长7%"),
        (0.5, {"kind": "price"}, "上涨0.5%"),
        (-0.5, {"kind": "price"}, "下降0.5%"),
        (0.0, {"kind": "price"}, "持平"),
        (0.04, {"kind": "price"}, "持平"),
        (-2.5, {"kind": "price"}, "下降2.5%"),
        (2.1, {"kind": "price"}, "上涨2.1%"),
        # prices stay in percent at 100% or more (NBS: 猪肉价格上涨135.2%), whatever times_from
        (135.2, {"kind": "price"}, "上涨135.2%"),
        (100.0, {"kind": "price"}, "上涨100.0%"),
        (250.04, {"kind": "price", "times_from": 200.0}, "上涨250.0%"),
        (np.float64(7.2), {}, "增长7.2%"),
    ],
)
def test_growth(rate: float, kwargs: dict, expected: str) -> None:
    assert phrase.growth(rate, **kwargs) == expected


@pytest.mark.parametrize(
    ("current", "previous", "kwargs", "expected"),
    [
        # volume, both ≥ 0
        (7.2, 6.9, {}, "加快0.3个百分点"),
        (7.2, 7.9, {}, "回落0.7个百分点"),
        (7.2, 7.2, {}, "持平"),
        (7.24, 6.95, {}, "加快0.2个百分点"),  # rounded 7.2 vs 7.0, not 0.29
        (7.24, 7.15, {}, "持平"),  # both show 7.2
        (7.25, 7.15, {}, "加快0.1个百分点"),  # 7.3 vs 7.2
        (0.3, 0.0, {}, "加快0.3个百分点"),
        (0.0, 0.7, {}, "回落0.7个百分点"),
        (0.04, 0.0, {}, "持平"),
        (12.0, 2.0, {}, "加快10.0个百分点"),
        (150.0, 100.0, {}, "加快50.0个百分点"),  # points even above 100%
        # volume, both < 0
        (-1.5, -2.2, {}, "降幅收窄0.7个百分点"),
        (-3.0, -2.2, {}, "降幅扩大0.8个百分点"),
        (-1.8, -1.8, {}, "持平"),
        (-0.05, -0.14, {}, "持平"),  # both show -0.1
        # volume, signs change
        (0.3, -0.5, {}, "由负转正"),
        (-0.3, 0.5, {}, "由正转负"),
        (0.05, -0.05, {}, "由负转正"),  # 0.1 vs -0.1 after half-up
        (-0.5, 0.0, {}, "由持平转为下降"),
        (0.0, -0.5, {}, "由下降转为持平"),
        (-0.04, -0.5, {}, "由下降转为持平"),  # -0.04 shows as 0.0
        # prices
        (2.1, 1.8, {"kind": "price"}, "涨幅扩大0.3个百分点"),
        (1.8, 2.1, {"kind": "price"}, "涨幅回落0.3个百分点"),
        (-2.5, -3.0, {"kind": "price"}, "降幅收窄0.5个百分点"),  # PPI, NBS wording
        (-3.0, -2.5, {"kind": "price"}, "降幅扩大0.5个百分点"),
        (0.2, -0.3, {"kind": "price"}, "由降转涨"),
        (-0.2, 0.3, {"kind": "price"}, "由涨转降"),
        (0.0, 0.3, {"kind": "price"}, "由涨转平"),
        (0.0, -0.3, {"kind": "price"}, "由降转平"),
        (0.3, 0.0, {"kind": "price"}, "由平转涨"),
        (-0.3, 0.0, {"kind": "price"}, "由平转降"),
        (0.0, 0.0, {"kind": "price"}, "持平"),
        (1.5, 1.5, {"kind": "price"}, "持平"),
        # shares and rates
        (47.3, 45.0, {"kind": "share"}, "提高2.3个百分点"),
        (45.0, 47.3, {"kind": "share"}, "下降2.3个百分点"),
        (66.15, 66.14, {"kind": "share"}, "提高0.1个百分点"),  # 66.2 vs 66.1
        (5.0, 5.04, {"kind": "share"}, "持平"),
        # decimals
        (7.25, 7.2, {"decimals": 2}, "加快0.05个百分点"),
        (7.24, 6.95, {"decimals": 2}, "加快0.29个百分点"),
        # with the earlier period named
        (7.2, 6.9, {"than": "1—10月"}, "比1—10月加快0.3个百分点"),
        (7.2, 7.9, {"than": "1—10月份"}, "比1—10月份回落0.7个百分点"),
        (7.2, 7.2, {"than": "1—10月"}, "与1—10月持平"),
        (-2.5, -3.0, {"kind": "price", "than": "上月"}, "降幅比上月收窄0.5个百分点"),
        (2.1, 1.8, {"kind": "price", "than": "上月"}, "涨幅比上月扩大0.3个百分点"),
        (47.3, 45.0, {"kind": "share", "than": "上年末"}, "比上年末提高2.3个百分点"),
        (0.4, -0.5, {"kind": "price", "than": "上月"}, "由上月下降0.5%转为上涨0.4%"),
        (0.3, 0.0, {"kind": "price", "than": "上月"}, "由上月持平转为上涨0.3%"),
        (0.3, -0.5, {"than": "1—10月"}, "由1—10月下降0.5%转为增长0.3%"),
    ],
)
def test_change(current: float, previous: float, kwargs: dict, expected: str) -> None:
    assert phrase.change(current, previous, **kwargs) == expected


@pytest.mark.parametrize(
    ("position", "group", "expected"),
    [
        (4, "全区", "居全区第4位"),
        (1, "全区", "居全区第1位"),
        (12, "全区", "居全区第12位"),
        (3, "全省", "居全省第3位"),
        (np.int64(5), "全区", "居全区第5位"),
        (2.0, "全区", "居全区第2位"),
    ],
)
def test_rank(position: int, group: str, expected: str) -> None:
    assert phrase.rank(position, group) == expected


def test_rank_default_group() -> None:
    assert phrase.rank(4) == "居全区第4位"


@pytest.mark.parametrize(
    ("value", "reference", "kwargs", "expected"),
    [
        (7.2, 6.0, {}, "高于全区1.2个百分点"),
        (5.5, 6.0, {}, "低于全区0.5个百分点"),
        (6.0, 6.0, {}, "与全区持平"),
        (6.04, 5.96, {}, "与全区持平"),  # both show 6.0
        (-1.8, 2.0, {}, "低于全区3.8个百分点"),
        (-1.0, -3.0, {}, "高于全区2.0个百分点"),
        (7.2, 5.2, {"reference_name": "全国"}, "高于全国2.0个百分点"),
        (7.2, 5.2, {"reference_name": "全区平均水平"}, "高于全区平均水平2.0个百分点"),
        (48512.0, 46000.0, {"decimals": 0, "unit": "元"}, "高于全区2512元"),
    ],
)
def test_versus(value: float, reference: float, kwargs: dict, expected: str) -> None:
    assert phrase.versus(value, reference, **kwargs) == expected


@pytest.mark.parametrize(
    ("now", "before", "kwargs", "expected"),
    [
        (4, 6, {}, "排名较上月提升两位"),
        (3, 4, {}, "排名较上月提升一位"),
        (1, 4, {}, "排名较上月提升三位"),
        (5, 4, {}, "排名较上月下降一位"),
        (12, 1, {}, "排名较上月下降十一位"),
        (1, 11, {}, "排名较上月提升十位"),
        (4, 4, {}, "排名与上月持平"),
        (2, 4, {"period_name": "1—10月"}, "排名较1—10月提升两位"),
        (6, 4, {"period_name": "上年同期"}, "排名较上年同期下降两位"),
    ],
)
def test_rank_change(now: int, before: int, kwargs: dict, expected: str) -> None:
    assert phrase.rank_change(now, before, **kwargs) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "一"),
        (2, "两"),
        (3, "三"),
        (9, "九"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (22, "二十二"),
        (99, "九十九"),
        (100, "100"),
    ],
)
def test_chinese_count(n: int, expected: str) -> None:
    assert phrase._chinese_count(n) == expected


@pytest.mark.parametrize(
    ("sentence", "build"),
    [
        (
            "社会消费品零售总额42505亿元，同比增长10.1%",
            lambda: f"社会消费品零售总额42505亿元，同比{phrase.growth(10.1)}",
        ),
        (
            "第三产业增加值1529.2亿元，下降1.8%",
            lambda: f"第三产业增加值1529.2亿元，{phrase.growth(-1.8)}",
        ),
        (
            "货物进出口总额379587亿元，同比持平",
            lambda: f"货物进出口总额379587亿元，同比{phrase.growth(0.02)}",
        ),
        ("利润总额增长2.7倍", lambda: f"利润总额{phrase.growth(270.0)}"),
        ("CPI同比下降0.5%", lambda: f"CPI同比{phrase.growth(-0.5, 'price')}"),
        (
            "一般公共预算收入70.11亿元，同口径下降19.4%",
            lambda: f"一般公共预算收入70.11亿元，同口径{phrase.growth(-19.4)}",
        ),
        (
            "PPI同比下降2.5%，降幅比上月收窄0.5个百分点",
            lambda: (
                f"PPI同比{phrase.growth(-2.5, 'price')}，"
                f"{phrase.change(-2.5, -3.0, 'price', than='上月')}"
            ),
        ),
        (
            "增速比1—10月份回落0.7个百分点",
            lambda: f"增速{phrase.change(6.5, 7.2, than='1—10月份')}",
        ),
        (
            "1—11月，全市规模以上工业增加值同比增长7.2%，增速比1—10月加快0.3个百分点，居全区第4位。",
            lambda: (
                f"1—11月，全市规模以上工业增加值同比{phrase.growth(7.2)}，"
                f"增速{phrase.change(7.2, 6.9, than='1—10月')}，{phrase.rank(4)}。"
            ),
        ),
    ],
)
def test_real_release_sentences(sentence: str, build) -> None:
    assert build() == sentence


@pytest.mark.parametrize(
    ("points", "of", "decimals", "expected"),
    [
        # NBS communiqué 2023: 最终消费支出拉动国内生产总值增长4.3个百分点
        (4.3, "国内生产总值", 1, "拉动国内生产总值增长4.3个百分点"),
        # … 货物和服务净出口向下拉动国内生产总值0.6个百分点
        (-0.6, "国内生产总值", 1, "下拉国内生产总值0.6个百分点"),
        (0.349, "", 2, "拉动增长0.35个百分点"),
        (0.349, "", 1, "拉动增长0.3个百分点"),
        (-0.123, "", 2, "下拉0.12个百分点"),
        (-0.04, "全市", 1, "对全市增长的拉动为零"),  # pull_decimals gives 2 for such a group
        (-0.04, "全市", 2, "下拉全市0.04个百分点"),
        (0.0, "", 1, "对增长的拉动为零"),
        (0.05, "", 1, "拉动增长0.1个百分点"),  # half-up
        (Decimal("2.45"), "", 1, "拉动增长2.5个百分点"),
    ],
)
def test_pull(points: float, of: str, decimals: int, expected: str) -> None:
    assert phrase.pull(points, of, decimals) == expected


def test_pull_never_carries_a_minus_sign() -> None:
    for x in _GROWTH_GRID:
        for dp in (1, 2):
            assert "-" not in phrase.pull(x, decimals=dp)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: phrase.growth(None), "rate is missing"),
        (lambda: phrase.growth(NAN), "rate is missing"),
        (lambda: phrase.growth(pd.NA), "rate is missing"),
        (lambda: phrase.change(7.2, None), "previous is missing"),
        (lambda: phrase.change(7.2, NAN), "previous is missing"),
        (lambda: phrase.change(NAN, 7.2), "current is missing"),
        (lambda: phrase.versus(7.2, None), "reference is missing"),
        (lambda: phrase.rank(None), "position is missing"),
        (lambda: phrase.rank(0), "whole rank of 1 or more"),
        (lambda: phrase.rank(2.5), "whole rank of 1 or more"),
        (lambda: phrase.rank_change(3, NAN), "before is missing"),
        (lambda: phrase.growth(7.2, kind="share"), "kind must be 'volume' or 'price'"),
        (lambda: phrase.change(7.2, 6.9, kind="rate"), "kind must be one of"),
        (lambda: phrase.growth("7.2"), "rate must be a number"),
        (lambda: phrase.growth(7.2, decimals=-1), "decimals must be"),
        (lambda: phrase.pull(None), "pull: points is missing"),
        (lambda: phrase.pull(NAN, "全市"), "pull: points is missing"),
    ],
)
def test_bad_arguments_raise_config_error(call, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        call()


_GROWTH_GRID = [x / 100 for x in range(-30000, 30001, 737)] + [-0.05, 0.05, 99.95, -99.95]


@pytest.mark.parametrize("kind", ["volume", "price", "share"])
def test_no_minus_sign_in_prose(kind: str) -> None:
    """Prose never carries a minus sign, whatever the numbers (CONVENTIONS §2)."""
    for a in _GROWTH_GRID[::3]:
        for b in _GROWTH_GRID[1::7]:
            text = phrase.change(a, b, kind)
            assert "-" not in text and not re.search(r"\d\.\d\d", text), (a, b, text)
            if kind != "share":
                assert "-" not in phrase.growth(a, kind)
            assert "-" not in phrase.versus(a, b)


def test_docstring_examples_hold() -> None:
    result = doctest.testmod(phrase)
    assert result.attempted > 5 and result.failed == 0
