"""Generate the FICTIONAL demo data set of statlib: ``python -m statlib.demo.generate [OUT_DIR]``.

Deterministic: the same seed gives byte-identical files. See data/demo/README.md.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any

import numpy as np

from statlib.demo import catalogue, enterprises, readme, series, survey, thresholds
from statlib.demo import geography as geo
from statlib.demo.series import YEARS, FlowSpec
from statlib.store import schema

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "data" / "demo"
OBS_COLUMNS = list(schema.SOURCE_COLUMNS)
REGION_COLUMNS = list(schema.REGION_COLUMNS)

S_PRIMARY = (0.2, 0.2, 0.4, 0.6, 0.8, 1.0, 1.4, 1.8, 2.2, 1.6, 0.9, 0.9)
S_SECONDARY = (0.8, 0.8, 0.95, 1.0, 1.0, 1.05, 1.0, 1.0, 1.05, 1.05, 1.1, 1.2)
S_TERTIARY = (0.95, 0.92, 0.95, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.05, 1.12)
S_INDUSTRY = (0.85, 0.8, 1.0, 0.98, 1.0, 1.0, 0.98, 0.98, 1.02, 1.05, 1.12, 1.2)
S_RETAIL = (1.12, 1.0, 0.92, 0.93, 0.98, 0.99, 0.95, 0.97, 1.0, 1.05, 1.06, 1.18)
S_FAI = (0.12, 0.2, 0.6, 0.9, 1.05, 1.35, 1.1, 1.15, 1.35, 1.15, 1.3, 1.75)
S_SERVICE = (0.85, 0.8, 0.95, 0.95, 0.97, 1.02, 0.98, 1.0, 1.02, 1.03, 1.08, 1.35)
S_FISCAL = (1.35, 0.75, 0.95, 1.2, 1.0, 1.0, 1.1, 0.8, 0.9, 1.1, 0.9, 0.95)
S_DEPOSITS = (1.005, 1.0, 1.008, 0.998, 0.999, 1.01, 0.998, 0.999, 1.008, 0.995, 0.998, 1.004)

SPECS: dict[str, FlowSpec] = {
    "va_primary": FlowSpec(55, S_PRIMARY, "primary", -2.5, 1.5, 0.02, 0.2, -2.0),
    "va_secondary": FlowSpec(310, S_SECONDARY, "secondary", -0.5, 1.5, 0.02, 0.9, -0.3),
    "va_tertiary": FlowSpec(280, S_TERTIARY, "tertiary", 0.8, 1.0, 0.015, 1.0, 1.0),
    "ind_va": FlowSpec(190, S_INDUSTRY, "secondary", 0.3, 2.0, 0.03, 0.8, -0.5),
    "fai": FlowSpec(
        450,
        S_FAI,
        "investment",
        2.0,
        6.0,
        0.08,
        1.5,
        0.0,
        {2014: 8, 2015: 5, 2016: 3, 2017: -8, 2018: -30, 2019: 2, 2022: 8, 2023: -6},
    ),
    "retail": FlowSpec(180, S_RETAIL, "consumer", 1.0, 1.2, 0.02, 1.3, 0.6),
    "service_rev": FlowSpec(120, S_SERVICE, "tertiary", 2.0, 3.0, 0.03, 1.0, 1.2),
    "fiscal_rev": FlowSpec(
        55,
        S_FISCAL,
        "secondary",
        0.0,
        4.0,
        0.08,
        0.8,
        0.3,
        {2016: -4, 2019: -6, 2020: -3, 2022: -6},
    ),
}
DEPOSIT_RATES = [11, 9, 10, 9, 7, 5, 7, 9, 8, 11, 9]
LOAN_RATES = [13, 12, 11, 10, 9, 7, 6, 8, 7, 6, 7]

PROVISIONAL = {
    "gdp",
    "va_primary",
    "va_secondary",
    "va_tertiary",
    "income",
    "ind_va",
    "fai",
    "retail",
    "retail_cum",
    "service_rev",
}
RANKING_ONLY_CITY_AND_REGION = {"cpi"}


class Obs:
    """Collector of observation rows."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []
        self.codes = [r.code for r in geo.regions()]

    def add(
        self,
        code: str,
        values: np.ndarray,
        periods: list[str],
        decimals: int,
        regions: list[str] | None = None,
    ) -> None:
        """values (R, P) integers in 10^-decimals, periods (P,) labels; R in publication order."""
        for ri, region in enumerate(regions or self.codes):
            texts = fmt(values[ri], decimals)
            for period, text in zip(periods, texts, strict=True):
                self.rows.append([code, region, period, text, "", "", "", ""])


def fmt(values: np.ndarray, decimals: int) -> list[str]:
    """Integers in units of 10^-decimals -> fixed-decimal strings (no float artefacts)."""
    if decimals == 0:
        return [str(int(v)) for v in values]
    div = 10**decimals
    return [
        f"{'-' if v < 0 else ''}{abs(int(v)) // div}.{abs(int(v)) % div:0{decimals}d}"
        for v in values
    ]


def nominal_growth(level: np.ndarray) -> np.ndarray:
    """Exact half-up growth (0.1 %) of integer levels (R, Y, K) against the previous year."""
    cur, base = level[:, 1:].astype(object), level[:, :-1].astype(object)
    num = (cur - base) * 1000
    return np.vectorize(_half_up_div)(num, base).astype(np.int64)


def _half_up_div(num: int, den: int) -> int:
    """num / den rounded half away from zero (四舍五入), exactly, for den > 0."""
    return (1 if num >= 0 else -1) * ((2 * abs(num) + den) // (2 * den))


def real_growth(real: np.ndarray) -> np.ndarray:
    g = (real[:, 1:] / real[:, :-1] - 1.0) * 1000.0
    return (np.sign(g) * np.floor(np.abs(g) + 0.5)).astype(np.int64)


def flat(arr: np.ndarray) -> np.ndarray:
    return arr.reshape(arr.shape[0], -1)


def month_periods(years: list[int], months: list[int]) -> list[str]:
    return [f"{y}-{m:02d}" for y in years for m in months]


def quarter_periods(years: list[int]) -> list[str]:
    return [f"{y}Q{q}" for y in years for q in range(1, 5)]


def combined(arr: np.ndarray, cumulative: bool) -> np.ndarray:
    """(R, Y, 12) monthly -> (R, Y, 11): 1—2月 combined, then March … December."""
    if cumulative:
        return np.cumsum(arr, axis=2)[..., 1:]
    return np.concatenate([arr[..., :2].sum(axis=2, keepdims=True), arr[..., 2:]], axis=2)


JF_MONTHS = list(range(2, 13))
ALL_MONTHS = list(range(1, 13))


def add_monthly_cumulative(
    obs: Obs, code: str, nominal: np.ndarray, real: np.ndarray | None, growth_code: str
) -> np.ndarray:
    """Cumulative level from 1—2月 with its nominal (or comparable) cumulative growth."""
    cum = combined(series.aggregate(nominal), cumulative=True)
    obs.add(code, flat(cum), month_periods(YEARS, JF_MONTHS), 2)
    if real is None:
        growth = nominal_growth(cum)
    else:
        growth = real_growth(combined(series.aggregate(real), cumulative=True))
    obs.add(growth_code, flat(growth), month_periods(YEARS[1:], JF_MONTHS), 1)
    return cum


def add_gdp(obs: Obs, rng: np.random.Generator) -> None:
    noms: list[np.ndarray] = []
    reals: list[np.ndarray] = []
    for code in ("va_primary", "va_secondary", "va_tertiary"):
        f = series.flow(rng, SPECS[code])
        q_nom = series.aggregate(f.nominal).reshape(22, len(YEARS), 4, 3).sum(axis=3)
        q_real = series.aggregate(f.real).reshape(22, len(YEARS), 4, 3).sum(axis=3)
        noms.append(q_nom)
        reals.append(q_real)
        _add_quarterly(obs, code, q_nom, q_real)
    # the three sectors added in order, as (primary + secondary) + tertiary
    _add_quarterly(obs, "gdp", noms[0] + noms[1] + noms[2], reals[0] + reals[1] + reals[2])


def _add_quarterly(obs: Obs, code: str, q_nom: np.ndarray, q_real: np.ndarray) -> None:
    cum, cum_real = np.cumsum(q_nom, axis=2), np.cumsum(q_real, axis=2)
    obs.add(code, flat(cum), quarter_periods(YEARS), 2)
    obs.add(f"{code}_growth", flat(real_growth(cum_real)), quarter_periods(YEARS[1:]), 1)


def add_industry(obs: Obs, rng: np.random.Generator) -> np.ndarray:
    f = series.flow(rng, SPECS["ind_va"])
    add_monthly_cumulative(obs, "ind_va", f.nominal, f.real, "ind_va_cum_growth")
    cur_real = combined(series.aggregate(f.real), cumulative=False)
    obs.add("ind_va_growth", flat(real_growth(cur_real)), month_periods(YEARS[1:], JF_MONTHS), 1)
    return f.nominal


def add_retail(obs: Obs, rng: np.random.Generator) -> np.ndarray:
    f = series.flow(rng, SPECS["retail"])
    cur = combined(series.aggregate(f.nominal), cumulative=False)
    obs.add("retail", flat(cur), month_periods(YEARS, JF_MONTHS), 2)
    obs.add("retail_growth", flat(nominal_growth(cur)), month_periods(YEARS[1:], JF_MONTHS), 1)
    add_monthly_cumulative(obs, "retail_cum", f.nominal, None, "retail_cum_growth")
    urban = np.array([leaf.urban for leaf in geo.leaves()])
    share = 0.55 + 0.4 * urban[:, None, None] + 0.003 * np.arange(len(YEARS))[None, :, None]
    share = np.minimum(share + rng.normal(0.0, 0.005, size=f.nominal.shape), 0.995)
    urban_part, rural_part = series.split(f.nominal, share)
    add_monthly_cumulative(obs, "retail_urban_cum", urban_part, None, "retail_urban_cum_growth")
    add_monthly_cumulative(obs, "retail_rural_cum", rural_part, None, "retail_rural_cum_growth")
    return f.nominal


def add_fiscal(obs: Obs, rng: np.random.Generator) -> None:
    f = series.flow(rng, SPECS["fiscal_rev"])
    add_monthly_cumulative(obs, "fiscal_rev", f.nominal, None, "fiscal_rev_growth")
    share = np.clip(rng.normal(0.76, 0.03, size=f.nominal.shape), 0.6, 0.9)
    tax, _ = series.split(f.nominal, share)
    add_monthly_cumulative(obs, "tax_rev", tax, None, "tax_rev_growth")


def add_stocks(obs: Obs, rng: np.random.Generator) -> None:
    for code, base, rates, season in (
        ("deposits", 850.0, DEPOSIT_RATES, S_DEPOSITS),
        ("loans", 750.0, LOAN_RATES, (1.0,) * 12),
    ):
        level = series.aggregate(series.stock(rng, base, rates, season))
        obs.add(code, flat(level), month_periods(YEARS, ALL_MONTHS), 2)
        obs.add(
            f"{code}_growth", flat(nominal_growth(level)), month_periods(YEARS[1:], ALL_MONTHS), 1
        )


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Exact half-up population-weighted mean over axis 0 of integer arrays."""
    num = (values.astype(object) * weights.astype(object)).sum(axis=0)
    den = weights.astype(object).sum(axis=0)
    return ((2 * num + den) // (2 * den)).astype(np.int64)


def add_income(obs: Obs, rng: np.random.Generator, pop_leaf: np.ndarray) -> None:
    quarters, prices = series.income_quarters(rng)
    cum = np.cumsum(quarters, axis=2)
    pop = pop_leaf[:, :, None] * np.ones((1, 1, 4), dtype=np.int64)
    counties, others = list(cum[:9]), list(cum[9:])
    city = weighted_mean(cum[:9], pop[:9])
    cities = [city if c.code == geo.CITY_CODE else others.pop(0) for c in geo.cities()]
    city_pop = series.aggregate(pop)[1:13]
    region = weighted_mean(np.stack(cities), city_pop)
    full = np.stack([region, *cities, *counties])
    obs.add("income", flat(full), quarter_periods(YEARS), 0)
    obs.add("income_growth", flat(nominal_growth(full)), quarter_periods(YEARS[1:]), 1)
    deflator = np.cumsum(prices, axis=1) / np.arange(1, 5)[None, :]
    obs.add(
        "income_real_growth",
        flat(real_growth(full / deflator[None])),
        quarter_periods(YEARS[1:]),
        1,
    )


def add_cpi(obs: Obs, rng: np.random.Generator) -> None:
    city = series.cpi_yoy(rng).reshape(-1)
    region = city + rng.integers(-2, 3, size=city.size)
    obs.add(
        "cpi",
        np.stack([region, city]),
        month_periods(YEARS, ALL_MONTHS),
        1,
        regions=[geo.REGION_CODE, geo.CITY_CODE],
    )


def annual_by_county(monthly: np.ndarray) -> np.ndarray:
    """Leaf monthly (L, Y, 12) -> county annual index (9, Y), 2013 = 1."""
    annual = monthly[:9].sum(axis=2).astype(float)
    return annual / annual[:, :1]


def region_rows() -> list[list[str]]:
    return [
        [r.code, r.name, r.name_en, r.parent, r.level, str(i), r.peer_group]
        for i, r in enumerate(geo.regions(), start=1)
    ]


def unit_stats(rows: list[list[str]]) -> dict[tuple[str, str], tuple[int, float, float]]:
    """(county, year) -> (above-scale industrial units, top1 share, top2 share of value added)."""
    cells: dict[tuple[str, str], list[float]] = {}
    for r in rows:
        if r[4] == "industry" and r[10] == "true":
            cells.setdefault((r[3], r[0]), []).append(float(r[8]))
    out = {}
    for key, values in cells.items():
        values.sort(reverse=True)
        total = sum(values)
        top2 = values[1] / total if len(values) > 1 else 0.0
        out[key] = (len(values), values[0] / total, top2)
    return out


def apply_flags(obs: Obs, stats: dict[tuple[str, str], tuple[int, float, float]]) -> None:
    counties = {c.code for c in geo.counties()}
    latest: dict[str, str] = {}
    for row in obs.rows:
        latest[row[0]] = max(latest.get(row[0], ""), row[2])
    for row in obs.rows:
        code, region, period = row[0], row[1], row[2]
        base = code.removesuffix("_growth").removesuffix("_cum").removesuffix("_real")
        if base in PROVISIONAL and period == latest[code]:
            row[4] = "P"
        if code == "service_rev" and region in counties and period.startswith("2013"):
            row[4] = "E"
        if code == "income" and region == "990210" and period.startswith("2013"):
            row[3], row[4] = "", "N"
        if code == "ind_va" and region in counties:
            n, top1, top2 = stats.get((region, period[:4]), (0, 0.0, 0.0))
            row[5], row[6], row[7] = str(n), f"{top1:.4f}", f"{top2:.4f}"
            if n < 3 or top1 > 0.85:
                row[4] = "C"


def industry_targets(obs: Obs) -> dict[tuple[str, str], int]:
    """(county, year) -> the year's 规模以上工业增加值 (1—12月, 亿元) in 0.1 万元."""
    counties = {c.code for c in geo.counties()}
    out = {}
    for code, region, period, value, *_ in obs.rows:
        if code == "ind_va" and region in counties and period.endswith("-12"):
            whole, _, cents = value.partition(".")
            out[(region, period[:4])] = (int(whole) * 100 + int(cents or 0)) * 1000
    return out


def observation_rows(
    rng: np.random.Generator, ent_rng: np.random.Generator, rules: list[dict[str, Any]]
) -> tuple[list[list[str]], list[list[str]], np.ndarray]:
    obs = Obs()
    add_gdp(obs, rng)
    ind = add_industry(obs, rng)
    fai = series.flow(rng, SPECS["fai"])
    add_monthly_cumulative(obs, "fai", fai.nominal, None, "fai_growth")
    retail = add_retail(obs, rng)
    svc = series.flow(rng, SPECS["service_rev"])
    add_monthly_cumulative(obs, "service_rev", svc.nominal, None, "service_rev_growth")
    add_fiscal(obs, rng)
    pop = series.population(rng)
    add_income(obs, rng, pop)
    add_cpi(obs, rng)
    add_stocks(obs, rng)
    obs.add("population", series.aggregate(pop), [str(y) for y in YEARS], 2)
    index = {
        "industry": annual_by_county(ind),
        "construction": annual_by_county(fai.nominal),
        "real_estate": annual_by_county(fai.nominal),
        "services": annual_by_county(svc.nominal),
    }
    for cat in ("wholesale", "retail", "accommodation", "catering"):
        index[cat] = annual_by_county(retail)
    ent = enterprises.enterprise_rows(ent_rng, rules, index)
    enterprises.match_value_added(ent, industry_targets(obs))
    obs.rows = [r for r in obs.rows if not (r[0].startswith("service_rev") and r[2] == "2023-12")]
    apply_flags(obs, unit_stats(ent))
    order = {row[0]: i for i, row in enumerate(catalogue.indicators())}
    sort = {code: i for i, code in enumerate(obs.codes)}
    obs.rows.sort(key=lambda r: (order[r[0]], sort[r[1]], r[2]))
    return obs.rows, ent, pop


def write_csv(path: Path, columns: list[str], rows: list[list[str]]) -> int:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return len(rows)


def generate(out_dir: Path, seed: int = 20231231) -> dict[str, int]:
    """Write the demo data set into out_dir; return the number of rows written per file."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    yaml_text = thresholds.thresholds_text(out_dir, DEFAULT_OUT / "thresholds.yaml")
    rules = thresholds.parse(yaml_text)
    root = np.random.default_rng(seed)
    rng, ent_rng, svy_rng = (np.random.default_rng(s) for s in root.integers(0, 2**32, size=3))
    obs, ent, pop = observation_rows(rng, ent_rng, rules)
    county_pop = {
        year: {c.code: float(pop[i, YEARS.index(year)]) for i, c in enumerate(geo.counties())}
        for year in survey.YEAR_CHANGE
    }
    counts = {
        "regions.csv": write_csv(out_dir / "regions.csv", REGION_COLUMNS, region_rows()),
        "indicators.csv": write_csv(
            out_dir / "indicators.csv", catalogue.COLUMNS, catalogue.indicators()
        ),
        "observations.csv": write_csv(out_dir / "observations.csv", OBS_COLUMNS, obs),
        "enterprises.csv": write_csv(out_dir / "enterprises.csv", enterprises.COLUMNS, ent),
        "survey.csv": write_csv(
            out_dir / "survey.csv", survey.COLUMNS, survey.survey_rows(svy_rng, county_pop)
        ),
    }
    (out_dir / "thresholds.yaml").write_bytes(yaml_text.encode("utf-8"))
    counts["thresholds.yaml"] = len(rules)
    (out_dir / "README.md").write_bytes(readme.text(seed, counts).encode("utf-8"))
    return counts


def main(argv: list[str]) -> None:
    out_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    for name, count in generate(out_dir).items():
        print(f"{name}: {count}")


if __name__ == "__main__":
    main(sys.argv)
