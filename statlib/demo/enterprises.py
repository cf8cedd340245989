"""Unit-level "四上" data of 云川市 (fictional units, births and deaths across years)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from statlib.demo import geography as geo
from statlib.demo.series import YEARS
from statlib.errors import ConfigError

COLUMNS = [
    "year",
    "unit_id",
    "name",
    "region",
    "category",
    "industry_code",
    "industry_name",
    "revenue",
    "value_added",
    "employees",
    "above_scale",
]

# category -> list of (division, name, relative weight, name words)
INDUSTRIES: dict[str, list[tuple[str, str, float, tuple[str, ...]]]] = {
    "industry": [
        ("06", "煤炭开采和洗选业", 3.0, ("煤业", "煤炭开发", "能源")),
        ("09", "有色金属矿采选业", 0.8, ("矿业", "有色矿业")),
        ("13", "农副食品加工业", 2.0, ("粮油", "肉食品", "饲料")),
        ("14", "食品制造业", 1.2, ("乳业", "食品")),
        ("15", "酒、饮料和精制茶制造业", 0.6, ("酒业", "饮品")),
        ("26", "化学原料和化学制品制造业", 1.5, ("化工", "化学")),
        ("30", "非金属矿物制品业", 1.5, ("建材", "水泥")),
        ("31", "黑色金属冶炼和压延加工业", 0.7, ("钢铁", "特钢")),
        ("32", "有色金属冶炼和压延加工业", 0.8, ("铝业", "硅业")),
        ("44", "电力、热力生产和供应业", 1.5, ("热电", "发电", "电力")),
        ("45", "燃气生产和供应业", 0.4, ("燃气",)),
        ("46", "水的生产和供应业", 0.3, ("水务",)),
    ],
    "construction": [
        ("47", "房屋建筑业", 2.0, ("建筑工程", "建设")),
        ("48", "土木工程建筑业", 1.5, ("路桥工程", "市政工程")),
        ("49", "建筑安装业", 0.8, ("安装工程",)),
        ("50", "建筑装饰、装修和其他建筑业", 0.8, ("装饰工程",)),
    ],
    "wholesale": [("51", "批发业", 1.0, ("商贸", "贸易", "物资"))],
    "retail": [("52", "零售业", 1.0, ("商厦", "超市", "百货"))],
    "accommodation": [("61", "住宿业", 1.0, ("酒店", "宾馆"))],
    "catering": [("62", "餐饮业", 1.0, ("餐饮", "饭店"))],
    "real_estate": [("70", "房地产业", 1.0, ("房地产开发", "置业"))],
    "services": [
        ("54", "道路运输业", 1.5, ("运输", "物流")),
        ("59", "装卸搬运和仓储业", 0.6, ("仓储",)),
        ("64", "互联网和相关服务", 0.6, ("网络科技",)),
        ("65", "软件和信息技术服务业", 0.8, ("信息技术", "软件")),
        ("72", "商务服务业", 1.2, ("商务服务", "企业管理")),
        ("74", "专业技术服务业", 0.8, ("工程技术", "检测")),
        ("77", "生态保护和环境治理业", 0.4, ("环保",)),
        ("78", "公共设施管理业", 0.4, ("市政设施管理",)),
        ("80", "居民服务业", 0.5, ("家政服务",)),
        ("81", "机动车、电子产品和日用产品修理业", 0.4, ("汽车维修",)),
        ("83", "教育", 0.4, ("培训学校",)),
        ("84", "卫生", 0.5, ("健康管理", "医院")),
        ("86", "新闻和出版业", 0.2, ("文化传媒",)),
        ("89", "体育", 0.2, ("体育发展",)),
    ],
}

# category -> (units active in 2013, median revenue as a multiple of the threshold or in 万元
# where the threshold is 0, value-added ratio, revenue per employee in 万元)
PROFILE: dict[str, tuple[int, float, float, float]] = {
    "industry": (640, 3.5, 0.28, 120.0),
    "construction": (180, 12000.0, 0.25, 60.0),
    "wholesale": (320, 3.0, 0.06, 400.0),
    "retail": (300, 2.6, 0.10, 90.0),
    "accommodation": (70, 2.2, 0.40, 12.0),
    "catering": (140, 2.2, 0.35, 10.0),
    "real_estate": (170, 15000.0, 0.30, 150.0),
    "services": (380, 2.6, 0.40, 35.0),
}

TRADE_CHARS = "北山川河源泰丰华鑫盛达宏隆兴瑞祥恒安鼎晟润德信和顺嘉远腾飞宇辰金银青云蒙原草峰岭湖泉"


def threshold(rules: list[dict[str, Any]], category: str, division: str, year: int) -> float:
    """Minimum revenue (万元) of a "四上" unit; an industry-specific rule beats a general one."""
    best: tuple[int, float] | None = None
    for rule in rules:
        to_year = rule.get("to_year")
        if rule["category"] != category or year < int(rule["from_year"]):
            continue
        if to_year is not None and year > int(to_year):
            continue
        industries = rule.get("industries")
        if industries is not None and division not in industries:
            continue
        rank = 1 if industries is not None else 0
        if best is None or rank > best[0]:
            best = (rank, float(rule["min_revenue_wan"]))
    if best is None:
        raise ConfigError(f"thresholds: no rule for {category} {division} in {year}")
    return best[1]


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc(region: str, serial: int) -> str:
    """A fictional 18-character unified social credit code with a valid GB 32100 check char."""
    body = ""
    for _ in range(6):
        body = USCC_CHARS[serial % 31] + body
        serial //= 31
    code17 = f"91{region}MA0{body}"
    total = sum(USCC_CHARS.index(ch) * w for ch, w in zip(code17, USCC_WEIGHTS, strict=True))
    return code17 + USCC_CHARS[(31 - total % 31) % 31]


@dataclass
class Unit:
    serial: int
    name: str
    region: str
    category: str
    division: str
    division_name: str
    birth: int
    death: int  # first year no longer present
    size: float
    va_ratio: float


def _county_weights() -> tuple[list[str], np.ndarray]:
    counties = geo.counties()
    weights = np.array([c.size for c in counties])
    return [c.code for c in counties], weights / weights.sum()


def _make_name(rng: np.random.Generator, words: tuple[str, ...], used: set[str]) -> str:
    while True:
        trade = "".join(rng.choice(list(TRADE_CHARS), size=2))
        word = words[int(rng.integers(len(words)))]
        suffix = ("有限公司", "有限责任公司", "股份有限公司")[int(rng.choice(3, p=[0.7, 0.2, 0.1]))]
        name = f"云川市{trade}{word}{suffix}"
        if name not in used:
            used.add(name)
            return name


def _draw_units(rng: np.random.Generator, rules: list[dict[str, Any]]) -> list[Unit]:
    codes, cweights = _county_weights()
    units: list[Unit] = []
    used: set[str] = set()
    for category, (n0, median, ratio, _) in PROFILE.items():
        divisions = INDUSTRIES[category]
        dweights = np.array([d[2] for d in divisions])
        active = n0
        births = {2013: n0}
        for year in YEARS[1:]:
            births[year] = int(rng.poisson(0.075 * active))
            active = int(active * 0.95) + births[year]
        for year, count in births.items():
            for _ in range(count):
                div = divisions[int(rng.choice(len(divisions), p=dweights / dweights.sum()))]
                life = int(rng.geometric(0.05))
                floor = threshold(rules, category, div[0], 2013)
                typical = median * floor if floor > 0 else median
                units.append(
                    Unit(
                        serial=len(units) + 1,
                        name=_make_name(rng, div[3], used),
                        region=codes[int(rng.choice(len(codes), p=cweights))],
                        category=category,
                        division=div[0],
                        division_name=div[1],
                        birth=year,
                        death=year + life,
                        size=float(rng.lognormal(np.log(typical), 1.3)),
                        va_ratio=float(ratio * rng.uniform(0.7, 1.3)),
                    )
                )
    _add_giants(units)
    return units


def _add_giants(units: list[Unit]) -> None:
    """A few dominant units: a power plant in 黑河旗, a coal mine in 北山旗."""
    for unit, region, factor in (
        (_first(units, "44"), "990208", 550.0),
        (_first(units, "06"), "990206", 150.0),
    ):
        unit.region, unit.size, unit.birth, unit.death = region, unit.size * factor, 2013, 2100


def _first(units: list[Unit], division: str) -> Unit:
    return next(u for u in units if u.division == division and u.birth == 2013)


def enterprise_rows(
    rng: np.random.Generator, rules: list[dict[str, Any]], county_index: dict[str, np.ndarray]
) -> list[list[str]]:
    """Rows of enterprises.csv; county_index[category] (9, Y) scales revenue by county and year."""
    units = _draw_units(rng, rules)
    codes = [c.code for c in geo.counties()]
    rows: list[list[str]] = []
    for unit in units:
        walk = np.cumsum(rng.normal(0.0, 0.12, size=len(YEARS)))
        for yi, year in enumerate(YEARS):
            if not unit.birth <= year < unit.death:
                continue
            idx = county_index[unit.category][codes.index(unit.region), yi]
            revenue = round(unit.size * idx * float(np.exp(walk[yi])), 1)
            min_rev = threshold(rules, unit.category, unit.division, year)
            # a unit just above the threshold may fall just below it (退库 that year); a large
            # unit never does, so a county's above-scale total has no holes
            if min_rev <= revenue < 1.5 * min_rev and rng.random() < 0.08:
                revenue = round(min_rev * float(rng.uniform(0.85, 0.999)), 1)
            value_added = round(revenue * unit.va_ratio * float(rng.uniform(0.9, 1.1)), 1)
            per_emp = PROFILE[unit.category][3] * float(rng.lognormal(0.0, 0.3))
            employees = max(1, int(revenue / per_emp))
            above = "true" if revenue >= min_rev else "false"
            rows.append(
                [
                    str(year),
                    uscc(unit.region, 7919 * unit.serial + 104729),
                    unit.name,
                    unit.region,
                    unit.category,
                    unit.division,
                    unit.division_name,
                    f"{revenue:.1f}",
                    f"{value_added:.1f}",
                    str(employees),
                    above,
                ]
            )
    rows.sort(key=lambda r: (r[0], r[3], r[4], r[5], r[1]))
    return rows


def match_value_added(rows: list[list[str]], targets: dict[tuple[str, str], int]) -> None:
    """Scale the value added of the above-scale industrial units of each (county, year) so that
    it sums exactly to ``targets[(county, year)]`` (in 0.1 万元): the published 规模以上工业增加值
    of a county is the sum of its units (largest remainders keep the written sum exact)."""
    groups: dict[tuple[str, str], list[list[str]]] = {}
    for row in rows:
        if row[4] == "industry" and row[10] == "true":
            groups.setdefault((row[3], row[0]), []).append(row)
    for key, members in groups.items():
        if key not in targets:
            raise ConfigError(f"demo: no 规模以上工业增加值 for county {key[0]} in {key[1]}")
        target = targets[key]
        raw = [round(float(r[8]) * 10) for r in members]
        total = sum(raw)
        shares = [divmod(v * target, total) for v in raw]
        tenths = [q for q, _ in shares]
        order = sorted(range(len(raw)), key=lambda i: (-shares[i][1], i))
        for i in order[: target - sum(tenths)]:
            tenths[i] += 1
        for row, value in zip(members, tenths, strict=True):
            row[8] = f"{value // 10}.{value % 10}"
