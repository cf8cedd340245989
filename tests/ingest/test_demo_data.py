"""The committed FICTIONAL demo data: consistency rules and reproducibility of the generator."""

from __future__ import annotations

import filecmp
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from statlib.demo.generate import DEFAULT_OUT, generate

DEMO = DEFAULT_OUT
FILES = [
    "regions.csv",
    "indicators.csv",
    "observations.csv",
    "enterprises.csv",
    "survey.csv",
    "thresholds.yaml",
    "README.md",
]
NON_ADDITIVE = {"income", "cpi"}


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DEMO / name, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def regions() -> pd.DataFrame:
    return _csv("regions.csv")


@pytest.fixture(scope="module")
def indicators() -> pd.DataFrame:
    return _csv("indicators.csv").set_index("code")


@pytest.fixture(scope="module")
def obs() -> pd.DataFrame:
    df = _csv("observations.csv")
    df["v"] = pd.to_numeric(df["value"].replace("", np.nan))
    return df


def _wide(obs: pd.DataFrame, code: str) -> pd.DataFrame:
    return obs[obs.indicator == code].pivot(index="period", columns="region", values="v")


def _additive_levels(indicators: pd.DataFrame) -> list[str]:
    kinds = {"level", "cumulative_level", "stock"}
    return [c for c, r in indicators.iterrows() if r.kind in kinds and c not in NON_ADDITIVE]


def test_geography(regions: pd.DataFrame) -> None:
    cities = regions[regions.peer_group == "塞北自治区盟市"]
    counties = regions[(regions.level == "county") & (regions.parent == "990200")]
    assert len(cities) == 12 and set(cities.parent) == {"990000"}
    assert len(counties) >= 8
    assert "000000" not in set(regions.code)
    assert regions.name_en.str.contains("(fictional)", regex=False).all()
    assert regions.sort_order.astype(int).is_monotonic_increasing


def test_counties_sum_to_city_and_cities_to_region(obs, regions, indicators) -> None:
    counties = list(regions.code[regions.parent == "990200"])
    cities = list(regions.code[regions.parent == "990000"])
    for code in _additive_levels(indicators):
        wide = _wide(obs, code)
        tol = 10.0 ** -int(indicators.decimals[code]) / 2
        diff_city = (wide[counties].sum(axis=1) - wide["990200"]).abs().max()
        diff_region = (wide[cities].sum(axis=1) - wide["990000"]).abs().max()
        assert diff_city <= tol * len(counties), (code, diff_city)
        assert diff_region <= tol * len(cities), (code, diff_region)


@pytest.mark.parametrize(
    ("total", "parts"),
    [
        ("gdp", ["va_primary", "va_secondary", "va_tertiary"]),
        ("retail_cum", ["retail_urban_cum", "retail_rural_cum"]),
    ],
)
def test_total_equals_sum_of_parts(obs, total: str, parts: list[str]) -> None:
    diff = sum(_wide(obs, p) for p in parts) - _wide(obs, total)
    assert diff.abs().max().max() <= 0.005 * len(parts)


def test_tax_not_above_fiscal_revenue(obs) -> None:
    assert (_wide(obs, "tax_rev") <= _wide(obs, "fiscal_rev")).all().all()


def test_cumulative_is_running_sum_of_month(obs) -> None:
    cur, cum = _wide(obs, "retail"), _wide(obs, "retail_cum")
    running = cur.groupby(cur.index.str[:4]).cumsum()
    assert (running - cum).abs().max().max() < 0.005 * 11


@pytest.mark.parametrize(
    "code",
    [
        "ind_va",
        "ind_va_growth",
        "ind_va_cum_growth",
        "fai",
        "fai_growth",
        "retail",
        "retail_cum",
        "service_rev",
        "fiscal_rev",
        "tax_rev",
    ],
)
def test_no_january_for_combined_indicators(obs, code: str) -> None:
    periods = obs.period[obs.indicator == code]
    assert len(periods) > 0 and not periods.str.endswith("-01").any()
    assert periods.str.endswith("-02").any()


def test_nominal_growth_agrees_with_levels(obs, indicators) -> None:
    nominal = indicators[(indicators.growth_of != "") & (indicators.price_basis == "current")]
    for code, row in nominal.iterrows():
        level, growth = _wide(obs, row.growth_of), _wide(obs, code)
        prev = level.copy()
        prev.index = [str(int(p[:4]) + 1) + p[4:] for p in prev.index]
        implied = (level / prev.reindex(level.index) - 1) * 100
        diff = (implied.reindex(growth.index) - growth).abs()
        assert diff.max().max() <= 0.1, code
        assert diff.notna().sum().sum() > 0


def test_comparable_growth_differs_from_nominal(obs) -> None:
    level, growth = _wide(obs, "gdp")["990200"], _wide(obs, "gdp_growth")["990200"]
    nominal = (level / level.shift(4) - 1) * 100
    assert (nominal.reindex(growth.index) - growth).abs().mean() > 0.5


def test_income_is_population_weighted_mean(obs, regions) -> None:
    counties = list(regions.code[regions.parent == "990200"])
    inc, pop = _wide(obs, "income"), _wide(obs, "population")
    q4 = inc[inc.index.str.endswith("Q4")].dropna(subset=counties)
    for period, row in q4.iterrows():
        weights = pop.loc[period[:4], counties]
        mean = (row[counties] * weights).sum() / weights.sum()
        assert abs(mean - row["990200"]) <= 0.5


def test_period_coverage(obs) -> None:
    months = set(obs.period[obs.period.str.len() == 7])
    expected = {f"{y}-{m:02d}" for y in range(2013, 2024) for m in range(1, 13)}
    assert expected <= months
    quarters = set(obs.period[obs.indicator == "gdp"])
    assert quarters == {f"{y}Q{q}" for y in range(2013, 2024) for q in range(1, 5)}
    assert obs.period[obs.indicator == "gdp_growth"].min() == "2014Q1"


def test_all_cities_share_the_ranking_indicators(obs, regions) -> None:
    cities = set(regions.code[regions.parent == "990000"])
    for code in [
        "gdp",
        "gdp_growth",
        "ind_va_cum_growth",
        "fai_growth",
        "retail_cum",
        "retail_cum_growth",
        "fiscal_rev_growth",
        "income",
        "income_growth",
    ]:
        have = obs[(obs.indicator == code) & obs.region.isin(cities)]
        counts = have.groupby("region").size()
        assert set(counts.index) == cities and counts.nunique() == 1, code


def test_city_gdp_plausible(obs) -> None:
    annual = _wide(obs, "gdp")["990200"]
    annual = annual[annual.index.str.endswith("Q4")]
    assert annual.between(1000, 3500).all()
    growth = _wide(obs, "gdp_growth")["990200"]
    assert growth["2020Q1"] < 0 < growth["2021Q1"]


def test_flags_and_disclosure_columns(obs) -> None:
    assert set(obs["flags"]) <= {"", "P", "E", "C", "N"}
    assert {"P", "C"} <= set(obs["flags"])
    assert (obs.value[obs["flags"] == "N"] == "").all()
    filled = obs[obs.contributors != ""]
    assert set(filled.indicator) == {"ind_va"}
    shares = filled.top1_share.astype(float)
    assert shares.between(0, 1).all() and (shares >= filled.top2_share.astype(float)).all()


def test_provisional_only_in_latest_period(obs) -> None:
    latest = obs.groupby("indicator").period.max()
    flagged = obs[obs["flags"] == "P"]
    assert len(flagged) > 0
    assert (flagged.period == latest.reindex(flagged.indicator).to_numpy()).all()
    assert latest["service_rev"] == "2023-11" and latest["retail_cum"] == "2023-12"


def test_enterprises() -> None:
    ent = _csv("enterprises.csv")
    above = ent[ent.above_scale == "true"]
    per_year = above.groupby("year").size()
    assert per_year.min() >= 1500
    assert (ent.above_scale == "false").any()
    assert ent.unit_id.str.len().eq(18).all()
    assert ent.groupby("unit_id").name.nunique().max() == 1
    assert ent.groupby("name").unit_id.nunique().max() == 1
    assert ent.groupby("year").unit_id.nunique().lt(ent.unit_id.nunique()).all()
    latest = above[above.year == "2023"].copy()
    latest["va"] = latest.value_added.astype(float)
    cells = latest.groupby(["region", "industry_code"]).va
    assert (cells.size() < 3).any()
    assert (cells.max() / cells.sum() > 0.85).any()


def _tenths(text: str) -> int:
    """A 万元 figure written with one decimal as an integer in 0.1 万元 (exact: no float sums)."""
    whole, _, frac = text.partition(".")
    return int(whole) * 10 + int((frac + "0")[:1])


COUNTIES = [f"9902{n:02d}" for n in range(2, 11)]


@pytest.fixture(scope="module")
def unit_va() -> dict[tuple[str, str], int]:
    """(county, year) -> Σ 增加值 of the above-scale industrial units, in 0.1 万元."""
    ent = _csv("enterprises.csv")
    ind = ent[(ent.category == "industry") & (ent.above_scale == "true")]
    out: dict[tuple[str, str], int] = {}
    for region, year, va in zip(ind.region, ind.year, ind.value_added, strict=True):
        out[(region, year)] = out.get((region, year), 0) + _tenths(va)
    return out


@pytest.mark.parametrize("year", [str(y) for y in range(2013, 2024)])
@pytest.mark.parametrize("region", [*COUNTIES, "990200"])
def test_units_sum_to_the_published_industry_value_added(
    obs: pd.DataFrame, unit_va: dict[tuple[str, str], int], region: str, year: str
) -> None:
    """规模以上工业增加值 (亿元, 1—12月) of a county = Σ 增加值 of its above-scale industrial
    units (万元), exactly in the written figures; the city = Σ all its units (表4-1 = 4-2 = 4-3 =
    7-2). Before the demo data were made coherent: 704.46 against 1241.47 for 2023."""
    row = obs[(obs.indicator == "ind_va") & (obs.region == region) & (obs.period == f"{year}-12")]
    whole, _, cents = row.value.iloc[0].partition(".")
    published = (int(whole) * 100 + int(cents)) * 1000  # 0.01 亿元 = 100 万元 = 1000 × 0.1 万元
    members = COUNTIES if region == "990200" else [region]
    assert sum(unit_va.get((c, year), 0) for c in members) == published


def test_parts_not_above_wholes(obs: pd.DataFrame, unit_va: dict[tuple[str, str], int]) -> None:
    """规模以上工业增加值 (1—12月, and summed from the units where there are units) < 第二产业增加值
    (1—4季度) < 地区生产总值, each region and year. Before: the units of 云川市 summed to 1241.47
    亿元 in 2023, above its whole 第二产业 (1128.87)."""
    annual = obs[obs.period.str.endswith(("-12", "Q4"))].assign(year=lambda d: d.period.str[:4])
    wide = annual[annual.indicator.isin(["ind_va", "va_secondary", "gdp"])].pivot_table(
        index=["region", "year"], columns="indicator", values="v"
    )
    assert len(wide) == 22 * 11 and not wide.isna().any().any()
    units = {
        (region, year): sum(unit_va.get((c, year), 0) for c in members) / 100000  # 亿元
        for region, members in [*((c, [c]) for c in COUNTIES), ("990200", COUNTIES)]
        for year in wide.index.get_level_values("year").unique()
    }
    wide["units"] = [units.get(key, 0.0) for key in wide.index]
    assert (wide[["ind_va", "units"]].max(axis=1) < wide.va_secondary).all()
    assert (wide.va_secondary < wide.gdp).all()


def test_large_units_never_leave_for_a_year() -> None:
    """A unit far above the threshold is in the library (above scale) every year it exists: the
    power plant of 黑河旗 is there 2013—2023 (once it fell out for a year, leaving a hole in the
    county's total)."""
    ent = _csv("enterprises.csv")
    ind = ent[ent.category == "industry"].copy()
    ind["rev"] = ind.revenue.astype(float)
    big = ind.groupby("unit_id").rev.transform("max") >= 3 * 2000
    years = ind[big].groupby("unit_id").year.agg(lambda y: sorted(int(v) for v in y))
    assert all(y == list(range(y[0], y[-1] + 1)) for y in years)
    giant = ind[(ind.region == "990208") & (ind.industry_code == "44")]
    top = giant.loc[giant.rev.idxmax(), "unit_id"]
    assert sorted(giant[giant.unit_id == top].year) == [str(y) for y in range(2013, 2024)]
    assert (giant[giant.unit_id == top].above_scale == "true").all()


def test_thresholds_drive_above_scale() -> None:
    ent = _csv("enterprises.csv")
    ind = ent[ent.category == "industry"]
    rev = ind.revenue.astype(float)
    assert ((rev >= 2000) == (ind.above_scale == "true")).all()


def test_survey() -> None:
    svy = _csv("survey.csv")
    n = svy.groupby(["survey", "year"]).respondent_id.nunique()
    assert len(n) == 6 and n.min() >= 2000
    assert (svy.weight.astype(float) > 0).all()
    scores = svy.score[svy.score != ""].astype(int)
    assert scores.between(1, 5).all() and (svy.score == "").any()
    assert svy.groupby("survey").item.nunique().between(4, 6).all()


def test_files_are_clean_text() -> None:
    for name in FILES:
        data = (DEMO / name).read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
        assert b"e-0" not in data.lower() or name.endswith(".md")
    assert "FICTIONAL" in (DEMO / "README.md").read_text(encoding="utf-8").splitlines()[0]


def test_generator_reproduces_committed_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    counts = generate(first)
    generate(second)
    assert counts["observations.csv"] > 0
    for name in FILES:
        assert filecmp.cmp(first / name, second / name, shallow=False), name
        assert filecmp.cmp(first / name, DEMO / name, shallow=False), name
