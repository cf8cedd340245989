"""phrase.describe on a small store whose every figure is known by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from statlib import DataError, phrase
from statlib._describe import measure_kind
from statlib.ingest import ingest_file
from statlib.ingest.bundle import load_catalogue
from statlib.store.backends import open_backend
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


# -- describe by the indicator's kind (issue 14, item 3): one table over every kind ------------

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "describe"
DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def kind_stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Store]]:
    """Two small stores. ``nbs``: the real NBS files of ``data/nbs`` (copied from
    /work/shared/data, see data/nbs/PROVENANCE.md) ingested through the NBS, wide and long
    readers, with the real catalogue (data/catalogue) and the demo catalogue's GDP, industry and
    investment entries. ``kinds``: tests/fixtures/describe/kinds, one indicator of each kind
    with every figure chosen by hand (the sentences below are checked by hand against it)."""
    root = tmp_path_factory.mktemp("kinds")
    stores: dict[str, Store] = {}
    for name in ("nbs", "kinds"):
        backend = open_backend(str(root / f"{name}.duckdb"), read_only=False, create=True)
        backend.create_schema()
        store = Store(backend)
        if name == "nbs":
            load_catalogue(store, DATA / "catalogue" / "regions_cn.csv", "region")
            load_catalogue(store, DATA / "catalogue" / "indicators.csv", "indicator")
            load_catalogue(store, DATA / "demo" / "indicators.csv", "indicator")
            for path in sorted((DATA / "nbs").glob("*.csv")):
                ingest_file(store, path)
        else:
            load_catalogue(store, FIXTURES / "regions.csv", "region")
            load_catalogue(store, FIXTURES / "kinds" / "indicators.csv", "indicator")
            ingest_file(store, FIXTURES / "kinds" / "observations.csv")
        stores[name] = store
    yield stores
    for store in stores.values():
        store.close()


KIND_CASES = [
    # real NBS data — a count (人口抽样调查样本): 比上年增加/减少 N人, never a growth rate
    (
        "nbs",
        "population_sample",
        "150000",
        "2019",
        {},
        "2019年，内蒙古自治区人口数(人口抽样调查)19744人，比上年减少1037人，居全国第23位。",
    ),
    # real NBS data — stocks at year end (城镇单位就业人员): 年末…比上年末增加/减少, no 余额
    (
        "nbs",
        "urban_employment",
        "150000",
        "2022",
        {},
        "2022年末，内蒙古自治区城镇单位就业人员265.5万人，比上年末减少2.2万人，居全国第24位。",
    ),
    (
        "nbs",
        "urban_employment",
        "440000",
        "2023",
        {},
        "2023年末，广东省城镇单位就业人员1990.0万人，比上年末减少76.6万人，居全国第1位。",
    ),
    (
        "nbs",
        "urban_employment",
        "150000",
        "2021",
        {"parts": ("level", "growth")},
        "2021年末，内蒙古自治区城镇单位就业人员267.7万人，比上年末减少2.9万人。",
    ),
    (
        "nbs",
        "urban_employment",
        "110000",
        "2020",
        {},
        "2020年末，北京市城镇单位就业人员739.9万人，比上年末减少51.4万人，居全国第7位。",
    ),
    # real NBS data — provincial GDP without its (real) growth: the level and its rank only
    (
        "nbs",
        "gdp",
        "150000",
        "2022",
        {},
        "2022年，内蒙古自治区地区生产总值23795.70亿元，居全国第21位。",
    ),
    (
        "nbs",
        "gdp",
        "440000",
        "2024",
        {"parts": ("level",)},
        "2024年，广东省地区生产总值141488.90亿元。",
    ),
    (
        "nbs",
        "gdp",
        "310000",
        "2010",
        {"parts": ("level", "rank")},
        "2010年，上海市地区生产总值18319.60亿元，居全国第6位。",
    ),
    # real NBS data — annual flows without a growth partner: growth computed from the levels,
    # at current prices (按现价计算), 比上年 (never 比上年2022年)
    (
        "nbs",
        "gni",
        "000000",
        "2022",
        {},
        "2022年，全国国民总收入1223706.8亿元，按现价计算，比上年增长5.0%，增速比上年回落8.5个百分点。",
    ),
    (
        "nbs",
        "gni",
        "000000",
        "2020",
        {},
        "2020年，全国国民总收入1026751.9亿元，按现价计算，比上年增长2.4%，增速比上年回落5.2个百分点。",
    ),
    (
        "nbs",
        "gdp_per_capita",
        "000000",
        "2023",
        {},
        "2023年，全国人均国内生产总值91746元，按现价计算，比上年增长5.0%，增速比上年回落0.1个百分点。",
    ),
    # real NBS data — value added whose real growth is not loaded: the level alone
    ("nbs", "va_primary", "000000", "2020", {}, "2020年，全国第一产业增加值78030.90亿元。"),
    ("nbs", "va_tertiary", "000000", "2024", {}, "2024年，全国第三产业增加值765582.50亿元。"),
    (
        "nbs",
        "va_secondary",
        "000000",
        "2016",
        {"parts": ("level", "growth")},
        "2016年，全国第二产业增加值295427.80亿元。",
    ),
    # real NBS data — monthly trade (当期值) without a growth partner: 同比 computed from
    # the same month a year before (never 增长2382675.9倍); January is published, so 2月份
    # is not combined
    (
        "nbs",
        "exports",
        "000000",
        "2019-12",
        {},
        "12月份，全国出口总值238267589千美元，同比增长7.7%，由上月下降2.7%转为增长7.7%。",
    ),
    (
        "nbs",
        "exports",
        "000000",
        "2019-02",
        {},
        "2月份，全国出口总值135200630千美元，同比下降21.2%，由上月增长8.5%转为下降21.2%。",
    ),
    (
        "nbs",
        "exports",
        "000000",
        "2018-06",
        {},
        "6月份，全国出口总值216597141千美元，同比增长10.2%，增速比上月回落1.2个百分点。",
    ),
    (
        "nbs",
        "imports",
        "000000",
        "2019-11",
        {},
        "11月份，全国进口总值183411013千美元，同比增长0.4%，由上月下降7.3%转为增长0.4%。",
    ),
    (
        "nbs",
        "imports",
        "000000",
        "2017-03",
        {},
        "3月份，全国进口总值156684253千美元，同比增长19.6%，增速比上月回落18.5个百分点。",
    ),
    # real NBS data — price indices (上年同月=100): 上涨/下降 in percent
    (
        "nbs",
        "cpi",
        "000000",
        "2020-02",
        {},
        "2月份，全国居民消费价格指数同比上涨5.2%，涨幅比上月回落0.2个百分点。",
    ),
    (
        "nbs",
        "cpi",
        "000000",
        "2020-01",
        {},
        "1月份，全国居民消费价格指数同比上涨5.4%，涨幅比上年12月份扩大0.9个百分点。",
    ),
    (
        "nbs",
        "cpi",
        "000000",
        "2019-12",
        {},
        "12月份，全国居民消费价格指数同比上涨4.5%，与上月持平。",
    ),
    (
        "nbs",
        "cpi_food",
        "000000",
        "2020-01",
        {},
        "1月份，全国食品烟酒类居民消费价格指数同比上涨15.2%，涨幅比上年12月份扩大2.3个百分点。",
    ),
    (
        "nbs",
        "cpi_food",
        "000000",
        "2016-09",
        {},
        "9月份，全国食品烟酒类居民消费价格指数同比上涨2.7%，涨幅比上月扩大1.2个百分点。",
    ),
    (
        "nbs",
        "cpi_clothing",
        "000000",
        "2019-06",
        {},
        "6月份，全国衣着类居民消费价格指数同比上涨1.8%，涨幅比上月扩大0.1个百分点。",
    ),
    (
        "nbs",
        "cpi_transport",
        "000000",
        "2019-05",
        {},
        "5月份，全国交通和通信类居民消费价格指数同比下降0.9%，降幅比上月扩大0.4个百分点。",
    ),
    (
        "nbs",
        "cpi_housing",
        "000000",
        "2018-11",
        {},
        "11月份，全国居住类居民消费价格指数同比上涨2.4%，涨幅比上月回落0.1个百分点。",
    ),
    (
        "nbs",
        "cpi_education",
        "000000",
        "2017-01",
        {},
        "1月份，全国教育文化和娱乐类居民消费价格指数同比上涨3.3%，涨幅比上年12月份扩大1.0个百分点。",
    ),
    (
        "nbs",
        "cpi_health",
        "000000",
        "2016-04",
        {},
        "4月份，全国医疗保健类居民消费价格指数同比上涨3.2%，涨幅比上月扩大0.1个百分点。",
    ),
    (
        "nbs",
        "cpi",
        "000000",
        "2018-02",
        {},
        "2月份，全国居民消费价格指数同比上涨2.9%，涨幅比上月扩大1.4个百分点。",
    ),
    (
        "nbs",
        "cpi_other",
        "000000",
        "2019-09",
        {},
        "9月份，全国其他用品和服务类居民消费价格指数同比上涨5.8%，涨幅比上月扩大1.1个百分点。",
    ),
    (
        "nbs",
        "cpi_household",
        "000000",
        "2017-07",
        {"parts": ("growth",)},
        "7月份，全国生活用品及服务类居民消费价格指数同比上涨1.1%。",
    ),
    # real NBS data — cumulative investment growth: 全年…比上年 in December, 1—2月 against
    # 上年全年, 内蒙古 against 全国
    (
        "nbs",
        "fai_growth",
        "000000",
        "2023-12",
        {},
        "全年，全国固定资产投资（不含农户）比上年增长3.0%，增速比1—11月加快0.1个百分点。",
    ),
    (
        "nbs",
        "fai_growth",
        "000000",
        "2024-02",
        {},
        "1—2月，全国固定资产投资（不含农户）同比增长4.2%，增速比上年全年加快1.2个百分点。",
    ),
    (
        "nbs",
        "fai_growth",
        "150000",
        "2023-12",
        {},
        "全年，内蒙古自治区固定资产投资（不含农户）比上年增长19.8%，增速比1—11月回落2.1个百分点，高于全国16.8个百分点。",
    ),
    (
        "nbs",
        "fai_growth",
        "150000",
        "2024-03",
        {},
        "1—3月，内蒙古自治区固定资产投资（不含农户）同比增长31.5%，增速比1—2月回落0.3个百分点，高于全国27.0个百分点。",
    ),
    (
        "nbs",
        "fai_growth",
        "000000",
        "2020-02",
        {},
        "1—2月，全国固定资产投资（不含农户）同比下降24.5%，由上年全年增长5.4%转为下降24.5%。",
    ),
    (
        "nbs",
        "fai_growth",
        "150000",
        "2022-06",
        {},
        "1—6月，内蒙古自治区固定资产投资（不含农户）同比增长33.9%，增速比1—5月加快1.7个百分点，高于全国27.8个百分点。",
    ),
    (
        "nbs",
        "fai_growth",
        "150000",
        "2020-02",
        {},
        "1—2月，内蒙古自治区固定资产投资（不含农户）同比下降34.9%，由上年全年增长6.8%转为下降34.9%，低于全国10.4个百分点。",
    ),
    # real NBS data — monthly industrial growth, real (按可比价格计算): 1—2月 combined
    # against 上年12月份, 3月份 against 1—2月
    (
        "nbs",
        "ind_va_growth",
        "000000",
        "2019-02",
        {},
        "1—2月，全国规模以上工业增加值按可比价格计算，同比增长5.3%，增速比上年12月份回落0.4个百分点。",
    ),
    (
        "nbs",
        "ind_va_growth",
        "000000",
        "2019-03",
        {},
        "3月份，全国规模以上工业增加值按可比价格计算，同比增长8.5%，增速比1—2月加快3.2个百分点。",
    ),
    (
        "nbs",
        "ind_va_growth",
        "150000",
        "2024-02",
        {},
        "1—2月，内蒙古自治区规模以上工业增加值按可比价格计算，同比增长7.0%，增速比上年12月份回落0.3个百分点，与全国持平。",
    ),
    (
        "nbs",
        "ind_va_growth",
        "150000",
        "2024-03",
        {},
        "3月份，内蒙古自治区规模以上工业增加值按可比价格计算，同比增长7.2%，增速比1—2月加快0.2个百分点，高于全国2.7个百分点。",
    ),
    (
        "nbs",
        "ind_va_growth",
        "000000",
        "2023-12",
        {},
        "12月份，全国规模以上工业增加值按可比价格计算，同比增长6.8%，增速比上月加快0.2个百分点。",
    ),
    (
        "nbs",
        "ind_va_growth",
        "150000",
        "2023-11",
        {},
        "11月份，内蒙古自治区规模以上工业增加值按可比价格计算，同比增长7.5%，增速比上月加快2.1个百分点，高于全国0.9个百分点。",
    ),
    # shares and rates: 为X%, 比上年提高/下降 X个百分点, 比上年同期 within a year
    (
        "kinds",
        "urbanization",
        "990200",
        "2023",
        {},
        "2023年，全市城镇化率为65.3%，比上年提高0.5个百分点，居全区第2位，高于全区2.3个百分点。",
    ),
    (
        "kinds",
        "urbanization",
        "990200",
        "2022",
        {},
        "2022年，全市城镇化率为64.8%，与上年持平，居全区第2位，低于全区0.2个百分点。",
    ),
    (
        "kinds",
        "urbanization",
        "990100",
        "2023",
        {},
        "2023年，全市城镇化率为66.0%，比上年下降0.4个百分点，居全区第1位，高于全区3.0个百分点。",
    ),
    (
        "kinds",
        "urbanization",
        "990200",
        "2023",
        {"parts": ("level", "growth")},
        "2023年，全市城镇化率为65.3%，比上年提高0.5个百分点。",
    ),
    (
        "kinds",
        "unemployment",
        "990200",
        "2023-11",
        {},
        "11月份，全市城镇调查失业率为5.1%，比上年同期下降0.4个百分点，高于全区0.1个百分点。",
    ),
    (
        "kinds",
        "unemployment",
        "990200",
        "2023-12",
        {},
        "12月份，全市城镇调查失业率为5.0%，与上年同期持平。",
    ),
    # counts of units: 比上年增加/减少 N个, a county among the city's counties
    (
        "kinds",
        "enterprises",
        "990200",
        "2023",
        {},
        "2023年，全市规模以上工业企业数412个，比上年增加14个，居全区第2位。",
    ),
    (
        "kinds",
        "enterprises",
        "990201",
        "2023",
        {},
        "2023年，全区规模以上工业企业数52个，与上年持平，居全市第1位。",
    ),
    (
        "kinds",
        "enterprises",
        "990202",
        "2023",
        {},
        "2023年，全旗规模以上工业企业数38个，比上年减少3个，居全市第2位。",
    ),
    # balances: X月末, 比年初增加/减少 (with and without a growth partner); March against
    # 上月, not 1—2月
    (
        "kinds",
        "loans_bal",
        "990200",
        "2023-11",
        {},
        "11月末，全市金融机构贷款余额3803.97亿元，比年初增加212.10亿元，居全区第1位。",
    ),
    (
        "kinds",
        "loans_bal",
        "990200",
        "2023-12",
        {},
        "12月末，全市金融机构贷款余额3810.50亿元，比年初增加218.63亿元。",
    ),
    (
        "kinds",
        "loans_bal",
        "990300",
        "2023-11",
        {},
        "11月末，全市金融机构贷款余额1150.55亿元，比年初减少49.45亿元，居全区第3位。",
    ),
    (
        "kinds",
        "savings",
        "990200",
        "2023-11",
        {},
        "11月末，全市住户存款余额2150.25亿元，比年初增加150.25亿元，同比增长8.1%，增速比上月回落0.2个百分点。",
    ),
    (
        "kinds",
        "savings",
        "990200",
        "2023-03",
        {},
        "3月末，全市住户存款余额2080.00亿元，比年初增加80.00亿元，同比增长9.0%，增速比上月回落0.5个百分点。",
    ),
    (
        "kinds",
        "savings_growth",
        "990200",
        "2023-11",
        {"parts": ("growth", "change")},
        "11月末，全市住户存款余额同比增长8.1%，增速比上月回落0.2个百分点。",
    ),
    # a stock at year end: 年末常住人口 → 2023年末…常住人口…比上年末增加 (not 余额…增长3.1倍)
    (
        "kinds",
        "resident_pop",
        "990200",
        "2023",
        {},
        "2023年末，全市常住人口312.43万人，比上年末增加1.05万人，居全区第1位。",
    ),
    (
        "kinds",
        "resident_pop",
        "990100",
        "2023",
        {},
        "2023年末，全市常住人口200.00万人，比上年末减少1.50万人，居全区第2位。",
    ),
    (
        "kinds",
        "resident_pop",
        "990200",
        "2023",
        {"parts": ("level", "growth")},
        "2023年末，全市常住人口312.43万人，比上年末增加1.05万人。",
    ),
    # monthly and annual flows without a growth partner: computed growth, 倍 for 200%
    (
        "kinds",
        "exports_m",
        "990200",
        "2023-11",
        {},
        "11月份，全市出口总额12.50亿元，同比增长25.0%，增速比上月加快20.0个百分点。",
    ),
    (
        "kinds",
        "exports_m",
        "990200",
        "2023-02",
        {},
        "2月份，全市出口总额4.40亿元，同比增长10.0%，增速比上月回落10.0个百分点。",
    ),
    (
        "kinds",
        "exports_m",
        "990200",
        "2023-09",
        {"parts": ("level", "growth")},
        "9月份，全市出口总额30.00亿元，同比增长2.0倍。",
    ),
    ("kinds", "exports_m", "990200", "2023-01", {}, "1月份，全市出口总额6.00亿元，同比增长20.0%。"),
    (
        "kinds",
        "farm_output",
        "990200",
        "2023",
        {},
        "2023年，全市农林牧渔业总产值231.00亿元，比上年增长5.0%，增速比上年回落5.0个百分点。",
    ),
    (
        "kinds",
        "farm_output",
        "990200",
        "2022",
        {},
        "2022年，全市农林牧渔业总产值220.00亿元，比上年增长10.0%。",
    ),
    # price indices: 上涨135.2% (never 倍), 持平, 下降; an annual index 比上年
    (
        "kinds",
        "pork",
        "990200",
        "2023-11",
        {},
        "11月份，全市猪肉价格指数同比上涨135.2%，涨幅比上月扩大7.2个百分点，居全区第1位。",
    ),
    (
        "kinds",
        "pork",
        "990100",
        "2023-11",
        {},
        "11月份，全市猪肉价格指数同比持平，由上月上涨1.2%转为持平，居全区第2位。",
    ),
    (
        "kinds",
        "pork",
        "990300",
        "2023-11",
        {},
        "11月份，全市猪肉价格指数同比下降3.0%，降幅比上月扩大1.5个百分点，居全区第3位。",
    ),
    (
        "kinds",
        "cpi_a",
        "990200",
        "2023",
        {},
        "2023年，全市居民消费价格总指数比上年上涨0.4%，涨幅比上年回落1.6个百分点。",
    ),
    # real and nominal growth: 名义增长…扣除价格因素，实际增长; 全年…比上年 for the fourth quarter
    (
        "kinds",
        "income",
        "990200",
        "2023Q3",
        {},
        "前三季度，全市居民人均可支配收入43969元，同比名义增长7.5%，扣除价格因素，实际增长6.1%，增速比上半年回落0.5个百分点。",
    ),
    (
        "kinds",
        "income",
        "990200",
        "2023Q4",
        {},
        "全年，全市居民人均可支配收入58565元，比上年名义增长7.1%，扣除价格因素，实际增长5.9%，增速比前三季度回落0.4个百分点。",
    ),
    (
        "kinds",
        "income",
        "990200",
        "2023Q3",
        {"parts": ("level", "growth")},
        "前三季度，全市居民人均可支配收入43969元，同比名义增长7.5%，扣除价格因素，实际增长6.1%。",
    ),
    # 当月 flows: 1—2月 against 上年12月份, 3月份 against 1—2月, 12月份 stays 同比
    (
        "kinds",
        "retail_m",
        "990200",
        "2023-02",
        {},
        "1—2月，全市社会消费品零售总额120.00亿元，同比增长5.0%，增速比上年12月份加快1.5个百分点。",
    ),
    (
        "kinds",
        "retail_m",
        "990200",
        "2023-03",
        {},
        "3月份，全市社会消费品零售总额65.00亿元，同比增长8.0%，增速比1—2月加快3.0个百分点。",
    ),
    (
        "kinds",
        "retail_m",
        "990200",
        "2023-12",
        {},
        "12月份，全市社会消费品零售总额80.00亿元，同比增长6.0%，增速比上月回落1.0个百分点。",
    ),
    # cumulative flows: 全年…比上年 in December, 1—2月 against 上年全年; counties against the city
    (
        "kinds",
        "retail_cum",
        "990200",
        "2023-12",
        {},
        "全年，全市社会消费品零售总额900.00亿元，比上年增长9.2%，增速比1—11月回落0.8个百分点。",
    ),
    (
        "kinds",
        "retail_cum",
        "990200",
        "2023-02",
        {},
        "1—2月，全市社会消费品零售总额120.00亿元，同比增长5.0%，增速比上年全年回落2.0个百分点。",
    ),
    (
        "kinds",
        "retail_cum",
        "990201",
        "2023-12",
        {},
        "全年，全区社会消费品零售总额300.00亿元，比上年增长7.0%，居全市第2位，低于全市2.2个百分点。",
    ),
    (
        "kinds",
        "retail_cum",
        "990202",
        "2023-12",
        {},
        "全年，全旗社会消费品零售总额100.00亿元，比上年增长11.0%，居全市第1位，高于全市1.8个百分点。",
    ),
    (
        "kinds",
        "retail_cum_growth",
        "990202",
        "2023-12",
        {"subject": "北山旗", "parts": ("growth", "versus")},
        "全年，北山旗社会消费品零售总额比上年增长11.0%，高于全市1.8个百分点。",
    ),
    # real growth named by its price basis, a decline first: 按可比价格计算，同比下降
    (
        "kinds",
        "va_m_growth",
        "990200",
        "2023-02",
        {},
        "1—2月，全市规模以上工业增加值按可比价格计算，同比下降1.2%，由上年12月份增长6.3%转为下降1.2%，居全区第2位，低于全区4.3个百分点。",
    ),
    (
        "kinds",
        "va_m_growth",
        "990200",
        "2023-03",
        {},
        "3月份，全市规模以上工业增加值按可比价格计算，同比增长2.5%，由1—2月下降1.2%转为增长2.5%。",
    ),
    (
        "kinds",
        "va_m_growth",
        "990100",
        "2023-02",
        {"parts": ("growth",)},
        "1—2月，全市规模以上工业增加值按可比价格计算，同比增长4.0%。",
    ),
    # GDP: 按不变价格计算, 全年…比上年, 一季度 against 上年全年
    (
        "kinds",
        "gdp_q",
        "990200",
        "2023Q4",
        {},
        "全年，全市地区生产总值2846.39亿元，按不变价格计算，比上年增长8.0%，增速比前三季度加快1.1个百分点。",
    ),
    (
        "kinds",
        "gdp_q",
        "990200",
        "2023Q1",
        {},
        "一季度，全市地区生产总值600.12亿元，按不变价格计算，同比下降0.5%，由上年全年增长3.0%转为下降0.5%。",
    ),
]


@pytest.mark.parametrize(
    ("store", "indicator", "region", "period", "kwargs", "sentence"), KIND_CASES
)
def test_describe_by_kind(
    kind_stores: dict[str, Store],
    store: str,
    indicator: str,
    region: str,
    period: str,
    kwargs: dict,
    sentence: str,
) -> None:
    """The whole sentence, for every kind (flow, cumulative flow, stock at year end, balance,
    count, share/rate, price index, real vs nominal, annual, 1—2月, 3月, decline, 100%+ price,
    county vs city), on real NBS data and on the hand-made store."""
    got = phrase.describe(kind_stores[store], indicator, region, period, **kwargs)
    assert got == sentence
    for wrong in ("比上年2022年", "比上年2021年", "余额312", "1—12月", "倍，增速比"):
        assert wrong not in got


def test_describe_table_is_large_and_covers_every_kind(kind_stores: dict[str, Store]) -> None:
    assert len(KIND_CASES) >= 80
    assert sum(case[0] == "nbs" for case in KIND_CASES) >= 40
    kinds = {measure_kind(kind_stores[case[0]].indicator(case[1])) for case in KIND_CASES}
    assert kinds == {"flow", "stock", "balance", "count", "share", "index", "growth"}


@pytest.mark.parametrize(
    ("store", "indicator", "region", "period", "message"),
    [
        # a unit that contradicts the kind is refused, naming the indicator
        (
            "kinds",
            "bad_growth",
            "990200",
            "2023-11",
            "indicator bad_growth .*unit '亿元' does not fit kind 'growth'",
        ),
        (
            "kinds",
            "bad_level",
            "990200",
            "2023-11",
            "indicator bad_level .*unit '%' does not fit kind 'level'",
        ),
        (
            "kinds",
            "bad_index",
            "990200",
            "2023-11",
            "indicator bad_index .*unit '元' does not fit kind 'index'",
        ),
        # a level loaded under a growth indicator is not printed as 增长2382675.9倍
        (
            "kinds",
            "exports_as_growth",
            "990200",
            "2023-11",
            "exports_as_growth .*238267589.* is not a growth rate in %",
        ),
        # no figure: DataError, not an empty clause
        (
            "nbs",
            "ind_va_growth",
            "000000",
            "2020-02",
            "no 规模以上工业增加值增长（当月） for 全国 in 2020-02",
        ),
        (
            "nbs",
            "population_sample",
            "110000",
            "2020",
            "no 人口数\\(人口抽样调查\\) for 北京市 in 2020",
        ),
    ],
)
def test_describe_refuses_what_its_kind_cannot_be(
    kind_stores: dict[str, Store],
    store: str,
    indicator: str,
    region: str,
    period: str,
    message: str,
) -> None:
    with pytest.raises(DataError, match=message):
        phrase.describe(kind_stores[store], indicator, region, period)


@pytest.mark.parametrize(
    ("period", "text"),
    [
        ("2023Q3", "全市居民人均可支配收入43969元，同比名义增长7.5%，扣除价格因素，实际增长6.1%"),
        # the fourth quarter is the whole year: 比上年, as describe says it
        ("2023Q4", "全市居民人均可支配收入58565元，比上年名义增长7.1%，扣除价格因素，实际增长5.9%"),
    ],
)
def test_nominal_real_says_the_year(kind_stores: dict[str, Store], period: str, text: str) -> None:
    from statlib import report

    got = report.nominal_real(kind_stores["kinds"], "income", "990200", period, subject="全市")
    assert got == text
