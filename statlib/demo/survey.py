"""Satisfaction-survey microdata (CATI style) of 云川市, fictional respondents."""

from __future__ import annotations

import numpy as np

from statlib.demo import geography as geo

COLUMNS = [
    "survey",
    "year",
    "respondent_id",
    "region",
    "weight",
    "sex",
    "age_group",
    "item",
    "score",
]

# survey -> (short id, mean latent score, items with their offsets)
SURVEYS: dict[str, tuple[str, float, list[tuple[str, float]]]] = {
    "营商环境满意度": (
        "YS",
        3.7,
        [
            ("政务服务效率", 0.2),
            ("市场准入便利", 0.1),
            ("融资便利程度", -0.4),
            ("法治环境", 0.0),
            ("涉企收费规范", -0.2),
        ],
    ),
    "公共服务满意度": (
        "GF",
        3.8,
        [
            ("教育服务", 0.1),
            ("医疗卫生服务", -0.3),
            ("养老服务", -0.2),
            ("公共交通", 0.0),
            ("文化体育设施", 0.1),
            ("社会保障服务", 0.2),
        ],
    ),
    "社会治安满意度": (
        "ZA",
        4.1,
        [("社区治安状况", 0.1), ("交通秩序", -0.2), ("警务服务", 0.1), ("安全感", 0.2)],
    ),
}
AGE_GROUPS = ["18—29岁", "30—39岁", "40—49岁", "50—59岁", "60岁及以上"]
AGE_EFFECT = [-0.15, -0.1, 0.0, 0.05, 0.15]
YEAR_CHANGE = {2022: 0.0, 2023: 0.08}
RESPONDENTS = 2100


def _cut(latent: np.ndarray) -> np.ndarray:
    return np.clip(np.floor(latent + 0.5), 1, 5).astype(int)


def survey_rows(rng: np.random.Generator, pop: dict[int, dict[str, float]]) -> list[list[str]]:
    """Rows of survey.csv; pop[year] = county population at the end of the survey's year: the
    design weights reproduce its shares (the sample is allocated on the latest year's)."""
    counties = [c.code for c in geo.counties()]
    latest = np.array([pop[max(pop)][c] for c in counties])
    alloc = (
        np.sqrt(latest) / np.sqrt(latest).sum()
    )  # square-root allocation: small counties boosted
    county_effect = dict(zip(counties, rng.normal(0.0, 0.25, size=len(counties)), strict=True))
    rows: list[list[str]] = []
    for survey, (short, mean, items) in SURVEYS.items():
        for year in (2022, 2023):
            region_idx = rng.choice(len(counties), size=RESPONDENTS, p=alloc)
            counts = np.bincount(region_idx, minlength=len(counties))
            share = np.array([pop[year][c] for c in counties])
            weight = share / share.sum() / (counts / RESPONDENTS)
            trend = rng.normal(YEAR_CHANGE[year], 0.05, size=len(items))
            for r in range(RESPONDENTS):
                county = counties[region_idx[r]]
                sex = "男" if rng.random() < 0.51 else "女"
                age = int(rng.choice(len(AGE_GROUPS), p=[0.17, 0.2, 0.21, 0.2, 0.22]))
                person = rng.normal(0.0, 0.6)
                for k, (item, offset) in enumerate(items):
                    latent = (
                        mean
                        + offset
                        + county_effect[county]
                        + AGE_EFFECT[age]
                        + person
                        + trend[k]
                        + rng.normal(0.0, 0.7)
                    )
                    score = "" if rng.random() < 0.025 else str(_cut(np.array(latent)).item())
                    rows.append(
                        [
                            survey,
                            str(year),
                            f"{short}{year}{r + 1:05d}",
                            county,
                            f"{weight[region_idx[r]]:.4f}",
                            sex,
                            AGE_GROUPS[age],
                            item,
                            score,
                        ]
                    )
    return rows
