"""Fictional geography of the demo: 塞北自治区, its 12 盟市 and the 9 旗县区 of 云川市."""

from __future__ import annotations

from dataclasses import dataclass

REGION_CODE = "990000"
CITY_CODE = "990200"
CITY_PEER_GROUP = "塞北自治区盟市"
COUNTY_PEER_GROUP = "云川市旗县区"


@dataclass(frozen=True)
class Region:
    """One row of regions.csv plus the generator's internal parameters."""

    code: str
    name: str
    name_en: str
    parent: str
    level: str
    peer_group: str
    size: float = 1.0  # relative economic size (GDP share driver)
    growth_bias: float = 0.0  # percentage points added to trend real growth
    urban: float = 0.6  # urbanisation: drives income and tertiary share


# name, English name, relative size, growth bias (pp), urbanisation
_CITIES: list[tuple[str, str, float, float, float]] = [
    ("青岚市", "Qinglan", 2.6, 0.3, 0.75),
    ("云川市", "Yunchuan", 1.9, 0.4, 0.68),
    ("白塔市", "Baita", 1.4, -0.4, 0.62),
    ("金泉市", "Jinquan", 2.1, 0.8, 0.71),
    ("松岭市", "Songling", 0.9, -1.0, 0.55),
    ("银湖市", "Yinhu", 1.1, 0.1, 0.66),
    ("苍原盟", "Cangyuan League", 0.6, -0.6, 0.48),
    ("赤川市", "Chichuan", 1.2, 0.5, 0.58),
    ("鹿鸣市", "Luming", 0.8, -0.2, 0.52),
    ("长风盟", "Changfeng League", 0.5, 0.9, 0.45),
    ("玉门岭市", "Yumenling", 0.7, -1.6, 0.60),
    ("北漠盟", "Beimo League", 0.4, 0.2, 0.42),
]

# name, English name, relative size, growth bias (pp), urbanisation
_COUNTIES: list[tuple[str, str, float, float, float]] = [
    ("川东区", "Chuandong District", 2.4, 0.6, 0.97),
    ("川西区", "Chuanxi District", 1.9, 0.2, 0.95),
    ("云台区", "Yuntai District", 1.3, 1.2, 0.90),
    ("南湾区", "Nanwan District", 0.9, -0.8, 0.86),
    ("北山旗", "Beishan Banner", 1.6, -2.6, 0.52),
    ("青石县", "Qingshi County", 0.6, -0.5, 0.41),
    ("黑河旗", "Heihe Banner", 0.8, -3.2, 0.44),
    ("雁门县", "Yanmen County", 0.5, 0.4, 0.38),
    ("草甸旗", "Caodian Banner", 0.4, -1.2, 0.33),
]


def regions() -> list[Region]:
    """All regions in publication order: the autonomous region, 12 cities, 9 counties."""
    out = [
        Region(
            REGION_CODE,
            "塞北自治区",
            "Saibei Autonomous Region (fictional)",
            "000000",
            "province",
            "",
            12.2,
            0.0,
            0.63,
        ),
    ]
    city_rows = [(f"99{i:02d}00", c) for i, c in enumerate(_CITIES, start=1)]
    county_rows = [(f"9902{i:02d}", c) for i, c in enumerate(_COUNTIES, start=2)]
    for parent, level, group, members in (
        (REGION_CODE, "city", CITY_PEER_GROUP, city_rows),
        (CITY_CODE, "county", COUNTY_PEER_GROUP, county_rows),
    ):
        for code, (name, en, size, bias, urban) in members:
            out.append(
                Region(code, name, f"{en} (fictional)", parent, level, group, size, bias, urban)
            )
    return out


def cities() -> list[Region]:
    return [r for r in regions() if r.level == "city"]


def counties() -> list[Region]:
    return [r for r in regions() if r.level == "county"]


def leaves() -> list[Region]:
    """The units whose series are generated directly: 9 counties, then the 11 other cities."""
    return counties() + [c for c in cities() if c.code != CITY_CODE]
