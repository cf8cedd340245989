"""Macro series of the demo: monthly/quarterly flows, prices, stocks, income, population.

All generated values are integers in units of 10^-decimals of the published unit, so that every
aggregate (county -> city -> region, month -> year to date) is exact in the written numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from statlib.demo import geography as geo

YEARS = list(range(2013, 2024))
NY = len(YEARS)

# Trend real growth of the whole economy (%), by year; 2013 is the base year.
MACRO_REAL = dict(zip(YEARS, [7.0, 7.8, 7.5, 7.0, 5.5, 5.3, 5.2, 4.5, 6.0, 4.2, 6.5], strict=True))

# Price families: annual change (%) of the deflator, by year.
PRICES: dict[str, list[float]] = {
    "primary": [3.0, 2.0, 1.5, 1.0, -0.5, 1.5, 4.0, 5.0, 2.0, 1.5, -0.5],
    "secondary": [-1.5, -2.5, -6.0, -1.5, 9.0, 3.5, -0.5, -1.5, 14.0, 6.0, -4.0],
    "tertiary": [3.0, 2.8, 2.5, 2.4, 2.8, 2.6, 2.2, 1.0, 2.0, 1.5, 1.0],
    "consumer": [2.6, 1.8, 1.2, 1.8, 1.4, 1.9, 2.6, 2.4, 1.0, 2.0, 0.3],
    "investment": [0.5, 0.5, -1.5, -0.5, 5.0, 5.0, 2.0, 1.0, 7.0, 4.0, -1.0],
    "none": [0.0] * NY,
}

# Monthly activity shocks (multiplicative, depth 1): COVID-19 in 2020 and late 2022.
SHOCKS: dict[tuple[int, int], float] = {
    (2020, 1): 0.85,
    (2020, 2): 0.78,
    (2020, 3): 0.89,
    (2020, 4): 0.95,
    (2020, 5): 0.98,
    (2020, 6): 0.99,
    (2022, 4): 0.97,
    (2022, 11): 0.94,
    (2022, 12): 0.93,
}


@dataclass(frozen=True)
class FlowSpec:
    """How one flow indicator behaves (annual level per unit of size in 2013, in its unit)."""

    base: float
    season: tuple[float, ...]
    prices: str = "none"
    trend_shift: float = 0.0
    year_sd: float = 1.5
    month_sd: float = 0.02
    covid_depth: float = 1.0
    urban_elasticity: float = 0.0
    year_shocks: dict[int, float] = field(default_factory=dict)


FLAT = (1.0,) * 12


def price_path(family: str) -> np.ndarray:
    """Monthly deflator (Y, 12), 2012 average = 1, log-linear within each year."""
    rates = np.log1p(np.array(PRICES[family]) / 100.0) / 12.0
    monthly = np.repeat(rates, 12)
    return np.exp(np.cumsum(monthly)).reshape(NY, 12)


def shock_matrix(depth: float) -> np.ndarray:
    out = np.ones((NY, 12))
    for (year, month), factor in SHOCKS.items():
        out[YEARS.index(year), month - 1] = 1.0 - depth * (1.0 - factor)
    return out


def leaf_scales(urban_elasticity: float) -> np.ndarray:
    """Relative size of each leaf (9 counties, then the 11 other cities)."""
    counties = geo.counties()
    total = sum(c.size for c in counties)
    city = next(c for c in geo.cities() if c.code == geo.CITY_CODE)
    out = []
    for leaf in geo.leaves():
        size = city.size * leaf.size / total if leaf.level == "county" else leaf.size
        out.append(size * (leaf.urban / 0.65) ** urban_elasticity)
    return np.array(out)


def real_flow(rng: np.random.Generator, spec: FlowSpec) -> np.ndarray:
    """Monthly real volume (L, Y, 12) at 2012 prices, in the indicator's unit."""
    leaves = geo.leaves()
    scale = leaf_scales(spec.urban_elasticity) * spec.base
    scale = scale * rng.lognormal(0.0, 0.12, size=len(leaves))
    bias = np.array([leaf.growth_bias for leaf in leaves])
    trend = np.array([MACRO_REAL[y] + spec.year_shocks.get(y, 0.0) for y in YEARS])
    growth = trend[None, :] + spec.trend_shift + bias[:, None]
    growth = growth + rng.normal(0.0, spec.year_sd, size=growth.shape)
    growth[:, 0] = 0.0
    annual = scale[:, None] * np.cumprod(1.0 + growth / 100.0, axis=1)
    season = np.array(spec.season) / np.mean(spec.season)
    noise = 1.0 + rng.normal(0.0, spec.month_sd, size=(len(leaves), NY, 12))
    monthly = annual[:, :, None] / 12.0 * season[None, None, :] * noise
    return monthly * shock_matrix(spec.covid_depth)[None, :, :]


def to_int(values: np.ndarray, decimals: int) -> np.ndarray:
    """Half-up rounding of non-negative floats to integers in units of 10^-decimals."""
    return np.floor(values * 10**decimals + 0.5).astype(np.int64)


@dataclass
class Flow:
    """A generated flow: nominal integers (L, Y, 12) and the matching real volume (floats)."""

    nominal: np.ndarray
    real: np.ndarray


def flow(rng: np.random.Generator, spec: FlowSpec, decimals: int = 2) -> Flow:
    real = real_flow(rng, spec)
    prices = price_path(spec.prices)
    nominal = to_int(real * prices[None, :, :], decimals)
    return Flow(nominal, nominal / prices[None, :, :])


def aggregate(leaf: np.ndarray) -> np.ndarray:
    """Leaf array (L, ...) -> all regions in publication order (region, 12 cities, 9 counties)."""
    counties = leaf[:9]
    others = list(leaf[9:])
    city_rows = []
    for c in geo.cities():
        city_rows.append(counties.sum(axis=0) if c.code == geo.CITY_CODE else others.pop(0))
    cities = np.stack(city_rows)
    return np.concatenate([cities.sum(axis=0)[None], cities, counties])


def split(total: np.ndarray, shares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split integer totals into two integer parts; part_a = round(total*share)."""
    part_a = np.floor(total * shares + 0.5).astype(np.int64)
    return part_a, total - part_a


def stock(
    rng: np.random.Generator,
    base: float,
    rates: Sequence[float],
    season: tuple[float, ...],
    decimals: int = 2,
) -> np.ndarray:
    """Month-end stocks (L, Y, 12) growing at the annual rates (%), with month pattern and noise."""
    leaves = geo.leaves()
    start = leaf_scales(0.3) * base * rng.lognormal(0.0, 0.15, size=len(leaves))
    bias = np.array([leaf.growth_bias for leaf in leaves])
    rate = np.array(rates)[None, :] + 0.6 * bias[:, None]
    rate = rate + rng.normal(0.0, 1.2, size=rate.shape)
    monthly = np.repeat(np.log1p(rate / 100.0) / 12.0, 12, axis=1)
    level = start[:, None] * np.exp(np.cumsum(monthly, axis=1))
    level = level.reshape(len(leaves), NY, 12) * np.array(season)[None, None, :]
    level = level * (1.0 + rng.normal(0.0, 0.004, size=level.shape))
    return to_int(level, decimals)


def population(rng: np.random.Generator) -> np.ndarray:
    """Year-end resident population (L, Y) in 0.01 万人."""
    leaves = geo.leaves()
    out = []
    for leaf in leaves:
        base = 300.0 * leaf.size / 10.4 if leaf.level == "county" else 150.0 * leaf.size**0.8
        rate = (leaf.urban - 0.6) * 2.5 + rng.normal(0.0, 0.3, size=NY)
        rate[0] = 0.0
        out.append(base * np.cumprod(1.0 + rate / 100.0))
    return to_int(np.array(out), 2)


INCOME_REAL = [0.0, 8.5, 7.5, 7.0, 6.8, 6.0, 5.8, 2.0, 7.5, 4.5, 5.8]
INCOME_QSHARE = np.array([0.285, 0.225, 0.24, 0.25])


def income_quarters(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Per capita income by quarter (L, Y, 4): nominal 元 (int) and the consumer deflator."""
    leaves = geo.leaves()
    urban = np.array([leaf.urban for leaf in leaves])
    level = 24000.0 * (0.55 + 0.7 * urban) * rng.lognormal(0.0, 0.05, size=len(leaves))
    growth = np.array(INCOME_REAL)[None, :] + 0.8 * (1.0 - urban)[:, None]
    growth = growth + rng.normal(0.0, 0.6, size=growth.shape)
    growth[:, 0] = 0.0
    annual = level[:, None] * np.cumprod(1.0 + growth / 100.0, axis=1)
    share = INCOME_QSHARE[None, None, :] * (1.0 + rng.normal(0.0, 0.01, size=(len(leaves), NY, 4)))
    real = annual[:, :, None] * share
    real[:, YEARS.index(2020), 0] *= 0.97
    real[:, YEARS.index(2020), 1] *= 0.99
    prices = price_path("consumer").reshape(NY, 4, 3).mean(axis=2)
    return to_int(real * prices[None], 0), prices


def cpi_yoy(rng: np.random.Generator) -> np.ndarray:
    """CPI same month previous year = 100, in 0.1 points (Y, 12), smooth around the annual rate."""
    annual = np.repeat(np.array(PRICES["consumer"]), 12)
    wave = np.cumsum(rng.normal(0.0, 0.25, size=annual.size))
    wave = wave - np.convolve(wave, np.ones(12) / 12.0, mode="same")
    return to_int(100.0 + annual + wave, 1).reshape(NY, 12)
