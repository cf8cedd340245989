"""Seasonal and calendar adjustment with the Spring Festival (statlib.seasonal), on real NBS
monthly trade (出口/进口总值当期值, 千美元, 海关总署 via NBS, 2016-01…2019-12, January and
February published separately; data/nbs/月度数据_全国CPI分类.csv).

The old way — STL on the level, additive, 1—2月 in equal halves or the months as published —
is computed here with statsmodels directly, so these figures stay the "before" of the note
whatever becomes of ``forecast.seasonal_adjust``.
"""

from __future__ import annotations

import datetime as dt
import doctest
import functools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.seasonal import STL

from statlib import measures, periods, seasonal
from statlib.errors import ConfigError
from statlib.ingest import read
from statlib.seasonal import _adjust, _calendar, _diagnostics, _note, _regarima

DATA = Path(__file__).resolve().parents[2] / "data" / "nbs"
NBS = DATA / "月度数据_全国CPI分类.csv"
LONG_FILE = DATA / "海关出口总值月度_2000-2026.tsv"  # 亿美元, 2000-01…2026-05 (PROVENANCE.md)
EXPORTS, IMPORTS = "出口总值当期值", "进口总值当期值"
YEARS = (2016, 2017, 2018, 2019)


@functools.cache
def trade(indicator: str) -> pd.Series:
    frame = read(NBS).frame
    assert frame is not None
    rows = frame[(frame["indicator"] == indicator) & frame["value"].notna()]
    index = [str(periods.parse(p)) for p in rows["period"]]
    return pd.Series(rows["value"].astype(float).to_numpy(), index=index).sort_index()


@functools.cache
def long_exports() -> pd.Series:
    frame = pd.read_csv(LONG_FILE, sep="\t", dtype={"period": str})
    return frame.set_index("period")["出口总值当期值(亿美元)"].astype(float)


def combine(series: pd.Series, years: tuple[int, ...] = YEARS) -> pd.Series:
    """February holds 1—2月, January is gone (as a cumulative indicator is published)."""
    out = series.copy()
    for y in years:
        out[f"{y}-02"] = series[f"{y}-01"] + series[f"{y}-02"]
    return out.drop([f"{y}-01" for y in years])


def old_way(series: pd.Series, halves: bool, years: tuple[int, ...] = YEARS) -> pd.DataFrame:
    """What forecast.seasonal_adjust did: robust STL on the level; 1—2月 in equal halves."""
    values = series.copy()
    if halves:
        for y in years:
            half = (series[f"{y}-01"] + series[f"{y}-02"]) / 2
            values[f"{y}-01"] = values[f"{y}-02"] = half
    fit = STL(values.to_numpy(), period=12, robust=True).fit()
    return pd.DataFrame(
        {"irregular": fit.resid, "adjusted": values.to_numpy() - fit.seasonal},
        index=values.index,
    )


@functools.cache
def adjusted(indicator: str) -> pd.DataFrame:
    return seasonal.adjust(trade(indicator))


# ---- the calendar ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "festival"),
    [
        (1950, "1950-02-17"),  # the first year of holidays.China
        (2016, "2016-02-08"),
        (2017, "2017-01-28"),
        (2018, "2018-02-16"),
        (2019, "2019-02-05"),
        (2020, "2020-01-25"),
        (2025, "2025-01-29"),  # 除夕 is a statutory holiday since 2025: still 初一 here
        (2026, "2026-02-17"),
        (2099, "2099-01-21"),
    ],
)
def test_festival_date(year: int, festival: str) -> None:
    assert seasonal.festival_date(year) == dt.date.fromisoformat(festival)


@pytest.mark.parametrize(
    ("year", "month", "days"),
    [
        (2018, 2, 17),  # 15–21 Feb off, Sunday 11 and Saturday 24 Feb worked (调休)
        (2018, 1, 22),
        (2017, 1, 19),  # festival on 28 Jan: 27–31 Jan off, Sunday 22 Jan worked
        (2017, 2, 19),  # 1–2 Feb off, Saturday 4 Feb worked
        (2019, 10, 19),  # National Day week, Saturday 12 Oct worked
        (2016, 2, 18),  # leap year: 29 days, 7–13 Feb off, 6 and 14 Feb worked
    ],
)
def test_working_days(year: int, month: int, days: int) -> None:
    assert seasonal.working_days(year, month) == days


def test_regressors_are_net_of_their_long_run_means() -> None:
    labels = [f"{y}-{m:02d}" for y in range(2000, 2050) for m in range(1, 13)]
    x = seasonal.calendar_regressors(labels)
    by_month = x.groupby(x.index.str[5:]).mean().abs().max()
    assert by_month.max() < 1e-9
    assert x.loc["2018-02", "working_days"] < 0 < x.loc["2018-01", "working_days"]
    # 16 Feb 2018: the holiday week in February, the restart (to 28 days) into March
    assert x.loc["2018-02", "spring_festival"] > 0 > x.loc["2018-01", "spring_festival"]
    assert x.loc["2018-03", "spring_festival_post"] > 0


@pytest.mark.parametrize("window", [(0, 14), (21, 14), (10, 6), (10, 40), (10,)])
def test_windows_outside_january_to_march_are_refused(window: tuple[int, ...]) -> None:
    with pytest.raises(ConfigError, match="window"):
        seasonal.calendar_regressors(["2018-02"], window=window)


def test_years_outside_the_calendar_are_refused() -> None:
    with pytest.raises(ConfigError, match="outside 1950–2099"):
        seasonal.calendar_regressors(["1949-12"])


def test_regressors_reach_future_months() -> None:
    x = seasonal.calendar_regressors(["2031-01", "2031-02", "2031-03"], window=(10, 14))
    assert list(x.columns) == [
        "spring_festival",
        "spring_festival_pre",
        "spring_festival_post",
        "working_days",
    ]
    assert x.notna().all().all()


# ---- acceptance: the January–February irregular and the festival months --------------------

# (indicator, mode chosen, festival window, Jan–Feb SD ratio old way on the months as
# published, … on equal halves, new way). Old-way figures: exports 2.65 and 1.58, imports 1.03
# and 0.44 (STL absorbs equal halves into the seasonal factors: the irregular is small because
# the split is wrong every year, not because the months are right).
ACCEPTANCE = [
    (EXPORTS, "multiplicative", [10, 28], 2.65, 1.58, 1.06),
    (IMPORTS, "multiplicative", [10, 28], 1.03, 0.44, 1.09),
]


@pytest.mark.parametrize(("indicator", "mode", "window", "old", "halves", "new"), ACCEPTANCE)
def test_jan_feb_irregular_no_larger_than_other_months(
    indicator: str, mode: str, window: list[int], old: float, halves: float, new: float
) -> None:
    result = adjusted(indicator)
    assert result.attrs["mode"] == mode
    assert result.attrs["window"] == window
    ratio = seasonal.diagnostics(result)["jan_feb_sd_ratio"]
    print(f"{indicator}: Jan–Feb irregular SD / other months {ratio:.2f} (old way {old})")
    assert ratio == pytest.approx(new, abs=0.01)
    assert ratio <= 1.3
    before = old_way(trade(indicator), halves=False)
    assert _diagnostics.jan_feb_ratio(before["irregular"]) == pytest.approx(old, abs=0.01)
    halved = old_way(trade(indicator), halves=True)
    assert _diagnostics.jan_feb_ratio(halved["irregular"]) == pytest.approx(halves, abs=0.01)


def test_the_old_way_fails_the_acceptance_on_exports() -> None:
    """The issue's figures: 2.3× (2.65 here, robust STL) and +20.5% / −21.6% in 2018."""
    before = old_way(trade(EXPORTS), halves=False)
    assert _diagnostics.jan_feb_ratio(before["irregular"]) > 1.3
    mom = before["adjusted"].pct_change() * 100
    assert round(mom["2018-02"], 1) == 20.5
    assert round(mom["2018-03"], 1) == -21.6
    fm = _diagnostics.festival_months(before["adjusted"])
    assert fm["festival_max"] > fm["other_max"] and fm["festival_min"] < fm["other_min"]


# (indicator, festival months' (min, max) change %, others' (min, max))
MOM = [
    (EXPORTS, (0.0, 1.0), (-8.6, 5.5)),
    (IMPORTS, (-0.2, 2.9), (-12.5, 5.1)),  # 2016-12 (an additive outlier) left out
]


@pytest.mark.parametrize(("indicator", "festival", "others"), MOM)
def test_no_festival_month_change_outside_the_usual_range(
    indicator: str, festival: tuple[float, float], others: tuple[float, float]
) -> None:
    fm = seasonal.diagnostics(adjusted(indicator))["festival_mom"]
    print(f"{indicator}: festival months' m-o-m {fm}")
    assert (round(fm["festival_min"], 1), round(fm["festival_max"], 1)) == festival
    assert (round(fm["other_min"], 1), round(fm["other_max"], 1)) == others
    assert fm["other_min"] <= fm["festival_min"] <= fm["festival_max"] <= fm["other_max"]


# (indicator, the festival regressor with the largest |t|, its t)
@pytest.mark.parametrize(
    ("indicator", "strongest", "t"),
    [(EXPORTS, "spring_festival_post", -10.9), (IMPORTS, "spring_festival", -3.6)],
)
def test_festival_regressor_is_significant_and_no_seasonality_is_left(
    indicator: str, strongest: str, t: float
) -> None:
    d = seasonal.diagnostics(adjusted(indicator))
    best = max(d["festival"], key=lambda k: abs(d["festival"][k]["t"]))
    assert best == strongest
    assert round(d["festival"][best]["t"], 1) == t  # the lull: |t| > 2, negative
    for part in ("irregular", "adjusted_changes"):
        assert d["residual_seasonality"][part]["kruskal_p"] > 0.05
        assert d["residual_seasonality"][part]["f_p"] > 0.05


def test_components_multiply_back() -> None:
    r = adjusted(EXPORTS)
    assert list(r.columns) == _adjust.COLUMNS
    product = r["calendar"] * r["seasonal"] * r["trend"] * r["irregular"]
    assert np.allclose(product, r["observed"], rtol=1e-9)
    assert np.allclose(r["adjusted"], r["observed"] / (r["calendar"] * r["seasonal"]))
    assert r.attrs["outliers"] == ["LS2018-12"]  # the end of 2018's front-loading
    assert r.attrs["model"] == "ARIMA(0, 1, 1)(0, 1, 1)12"
    assert "the last year is +16.9% on the first" in r.attrs["mode_reason"]


def test_additive_components_add_back() -> None:
    r = seasonal.adjust(trade(IMPORTS), mode="additive")
    total = r["calendar"] + r["seasonal"] + r["trend"] + r["irregular"]
    assert np.allclose(total, r["observed"], rtol=1e-9)
    assert r.attrs["mode_reason"] == "mode='additive' given"
    # a working day in 千美元, about what the multiplicative fit says in % of a month (3.0 %)
    per_day = r.attrs["coefficients"]["working_days"]["coef"] / r["observed"].mean()
    mult = adjusted(IMPORTS).attrs["coefficients"]["working_days"]["coef"]
    assert round(per_day, 3) == 0.032 and round(mult, 3) == 0.030


# The long series (exports 2000-01…2026-05, 亿美元): (span, Jan–Feb SD ratio, meets the line,
# festival months' (min, max) change %, other months' (min, max), old way: ratio, festival
# months' range). Months of additive outliers (2001-01/02, 2020-02) are left out of both ways'
# figures. The old way's ratio is not always above 1.3 here — over 20 years robust STL's
# seasonal factors soak up part of the festival — but its festival months' changes lie far
# outside the other months' range; 2000–2019 keeps the February anomalies of 2001 and of
# 2013–2014 (invoicing that inflated 2013's exports) in the irregular: 1.47, above the line.
LONG = [
    ("2000-01", "2026-05", 1.15, True, (-10.1, 11.3), (-12.4, 12.9), 1.39, (-25.1, 25.7)),
    ("2005-01", "2024-12", 1.15, True, (-11.5, 11.0), (-12.9, 12.5), 1.28, (-24.8, 21.9)),
    ("2000-01", "2019-12", 1.47, False, (-8.4, 11.9), (-12.4, 12.4), 1.59, (-25.2, 32.8)),
]


@pytest.mark.parametrize(
    ("start", "end", "ratio", "meets", "festival", "others", "old_ratio", "old_festival"), LONG
)
def test_long_exports(
    start: str,
    end: str,
    ratio: float,
    meets: bool,
    festival: tuple[float, float],
    others: tuple[float, float],
    old_ratio: float,
    old_festival: tuple[float, float],
) -> None:
    s = long_exports()
    s = s[(s.index >= start) & (s.index <= end)]
    d = seasonal.diagnostics(seasonal.adjust(s))
    fm = d["festival_mom"]
    print(f"exports {start}…{end}: ratio {d['jan_feb_sd_ratio']:.2f}, festival months {fm}")
    assert round(d["jan_feb_sd_ratio"], 2) == ratio
    assert (ratio <= 1.3) is meets
    assert (round(fm["festival_min"], 1), round(fm["festival_max"], 1)) == festival
    assert (round(fm["other_min"], 1), round(fm["other_max"], 1)) == others
    assert others[0] <= festival[0] <= festival[1] <= others[1]
    before = old_way(s, halves=False, years=())
    kept = before["irregular"][~before.index.isin(d["excluded"])]
    assert round(_diagnostics.jan_feb_ratio(kept), 2) == old_ratio
    ofm = _diagnostics.festival_months(before["adjusted"], d["excluded"])
    assert (round(ofm["festival_min"], 1), round(ofm["festival_max"], 1)) == old_festival
    assert ofm["festival_min"] < ofm["other_min"] and ofm["festival_max"] > ofm["other_max"]


# ---- 1—2月 combined -----------------------------------------------------------------------


def _ratio_error(split: pd.Series, truth: pd.Series, years: tuple[int, ...]) -> float:
    """Mean |log(estimated January/February ÷ true January/February)| over ``years``."""
    est = np.array([split[f"{y}-01"] / split[f"{y}-02"] for y in years])
    true = np.array([truth[f"{y}-01"] / truth[f"{y}-02"] for y in years])
    return float(np.mean(np.abs(np.log(est / true))))


# (case, series, combined years, reference, mean |log(ratio / true ratio)|). Equal halves:
# exports 0.348 (true January/February 1.40, 1.52, 1.17, 1.61), imports 0.197.
SPLITS = [
    ("exports, every year combined", EXPORTS, YEARS, None, 0.237),
    ("exports, by imports' pattern", EXPORTS, YEARS, IMPORTS, 0.204),
    ("imports, every year combined", IMPORTS, YEARS, None, 0.044),
]


@pytest.mark.parametrize(("case", "indicator", "years", "reference", "error"), SPLITS)
def test_split_combined_beats_equal_halves(
    case: str, indicator: str, years: tuple[int, ...], reference: str | None, error: float
) -> None:
    truth = trade(indicator)
    ref = trade(reference) if reference else None
    split = seasonal.split_combined(combine(truth, years), reference=ref)
    halves = _ratio_error(truth * 0 + 1, truth, years)  # ratio 1.00
    got = _ratio_error(split, truth, years)
    print(f"{case}: mean |log ratio error| {got:.3f} against {halves:.3f} of halves")
    assert got == pytest.approx(error, abs=0.005)
    assert got < halves
    for y in years:  # the months add up to the published 1—2月
        assert split[f"{y}-01"] + split[f"{y}-02"] == pytest.approx(
            truth[f"{y}-01"] + truth[f"{y}-02"]
        )


def test_a_reference_that_answers_the_festival_otherwise_does_not_help() -> None:
    """Imports split by exports' pattern (the rush before the festival is an exporters' one)."""
    truth = trade(IMPORTS)
    split = seasonal.split_combined(combine(truth), reference=trade(EXPORTS))
    got, halves = _ratio_error(split, truth, YEARS), _ratio_error(truth * 0 + 1, truth, YEARS)
    assert (round(got, 3), round(halves, 3)) == (0.208, 0.197)


# A year held out: the others, published separately, give the pattern.
@pytest.mark.parametrize(
    ("year", "true_ratio", "ratio"),
    [(2016, 1.40, 1.41), (2018, 1.17, 1.24), (2019, 1.61, 1.42), (2017, 1.52, 1.00)],
)
def test_split_one_year_by_the_others(year: int, true_ratio: float, ratio: float) -> None:
    """2017 (festival on 28 January, the only early one of the four) cannot be learnt from
    three late festivals: the split then falls back towards working days (1.00)."""
    exports = trade(EXPORTS)
    split = seasonal.split_combined(combine(exports, (year,)))
    assert round(exports[f"{year}-01"] / exports[f"{year}-02"], 2) == true_ratio
    assert round(split[f"{year}-01"] / split[f"{year}-02"], 2) == ratio
    assert split.attrs["split"]["method"].startswith("pattern of the series itself")


# Twenty years (exports 2005–2024, 亿美元), each year's 1—2月 combined in turn and split by the
# other nineteen: (year, true January/February, split). 2017's early festival is learnt now
# (2006, 2009, 2012, 2014, 2020 and 2023 were early too); 2020's epidemic cannot be.
LONG_SPLITS = [(2014, 1.82, 1.48), (2017, 1.52, 1.47), (2018, 1.17, 1.18), (2020, 2.63, 1.39)]


def _held_out(year: int) -> tuple[float, float]:
    s = long_exports()
    s = s[(s.index >= "2005-01") & (s.index <= "2024-12")]
    split = seasonal.split_combined(combine(s, (year,)))
    return s[f"{year}-01"] / s[f"{year}-02"], split[f"{year}-01"] / split[f"{year}-02"]


@pytest.mark.parametrize(("year", "true_ratio", "ratio"), LONG_SPLITS)
def test_split_a_long_series_year_by_the_others(year: int, true_ratio: float, ratio: float) -> None:
    true, got = _held_out(year)
    assert (round(true, 2), round(got, 2)) == (true_ratio, ratio)


def test_split_a_long_series_beats_halves_every_year_in_turn() -> None:
    pairs = [_held_out(y) for y in range(2005, 2025)]
    error = float(np.mean([abs(math.log(got / true)) for true, got in pairs]))
    halves = float(np.mean([abs(math.log(true)) for true, _ in pairs]))
    print(f"exports 2005–2024, each year held out: {error:.3f} against {halves:.3f} of halves")
    assert (round(error, 3), round(halves, 3)) == (0.109, 0.326)


def test_a_cumulative_indicator_through_current_months() -> None:
    """1—2月, 1—3月, … as published → current months (February holds 1—2月) → adjusted."""
    cumulative = combine(trade(EXPORTS)).groupby(lambda p: str(p)[:4]).cumsum()
    current = measures.current_from_cumulative(cumulative)
    r = seasonal.adjust(current)
    assert r.attrs["combined"] == list(YEARS)
    assert r.attrs["split"]["january_share"] == {
        2016: 0.5272,
        2017: 0.4994,
        2018: 0.5605,
        2019: 0.5663,
    }
    jan_feb = r.loc["2018-01", "observed"] + r.loc["2018-02", "observed"]
    assert jan_feb == pytest.approx(cumulative["2018-02"])


def test_adjust_a_combined_series() -> None:
    r = seasonal.adjust(combine(trade(EXPORTS)))
    assert r.attrs["combined"] == list(YEARS)
    assert r.index[0] == "2016-01" and len(r) == 48
    assert r.attrs["split"]["method"].startswith("pattern of the series itself")
    assert r.loc["2018-01", "observed"] != r.loc["2018-02", "observed"]


# ---- revisions, outliers, errors -------------------------------------------------------------


# (series, months revised, mean absolute revision %): four years revise a lot (the festival
# window and the outliers are chosen again each month), twenty years far less.
REVISIONS = [("imports 2016–2019", 6, 4.11), ("exports 2005–2024", 12, 1.24)]


@pytest.mark.parametrize(("case", "last", "mean"), REVISIONS)
def test_revisions_when_months_are_added(case: str, last: int, mean: float) -> None:
    if case.startswith("imports"):
        series = trade(IMPORTS)
    else:
        series = long_exports()
        series = series[(series.index >= "2005-01") & (series.index <= "2024-12")]
    rev = seasonal.revisions(series, last=last)
    assert list(rev.index) == list(series.index[-last:])
    assert rev.iloc[-1]["revision"] == 0.0  # the last month is its own final value
    print(f"{case}: mean absolute revision {rev.attrs['mean_abs_revision']:.2f}%")
    assert rev.attrs["mean_abs_revision"] == pytest.approx(mean, abs=0.01)


def test_revisions_refuse_a_bad_count() -> None:
    with pytest.raises(ConfigError, match="last must be a whole number"):
        seasonal.revisions(trade(IMPORTS), last=0)


def test_exact_likelihood_agrees_with_the_quick_fit() -> None:
    """exact=True re-estimates the ARMA parameters by maximum likelihood in SARIMAX: a likelihood
    at least as good, the same calendar effects to a hundredth."""
    quick, exact = adjusted(EXPORTS), seasonal.adjust(trade(EXPORTS), exact=True)
    assert exact.attrs["aic"] <= quick.attrs["aic"]
    assert (quick.attrs["aic"], exact.attrs["aic"]) == (-62.23, -62.45)
    for name, c in quick.attrs["coefficients"].items():
        assert exact.attrs["coefficients"][name]["coef"] == pytest.approx(c["coef"], abs=0.01)


def test_given_outliers_join_the_model() -> None:
    r = seasonal.adjust(trade(EXPORTS), outliers=["AO2017-11"], detect=False)
    assert r.attrs["outliers"] == ["AO2017-11"]
    assert r.attrs["outliers_detected"] == []
    assert "AO2017-11" in r.attrs["coefficients"]


def test_outlier_search_finds_a_planted_spike() -> None:
    s = trade(IMPORTS).copy()
    s["2017-06"] *= 1.35
    r = seasonal.adjust(s)
    assert "AO2017-06" in r.attrs["outliers_detected"]


@pytest.mark.parametrize(
    ("series", "options", "words"),
    [
        (pd.Series([1.0, 2.0], index=["2018Q1", "2018Q2"]), {}, "must be monthly"),
        (pd.Series([1.0] * 40, index=[f"x{i}" for i in range(40)]), {}, "months like"),
        (trade(EXPORTS).iloc[:30], {}, "at least 36 months"),
        (trade(EXPORTS).drop("2017-06"), {}, "gaps (missing 2017-06"),
        (trade(EXPORTS), {"combined": True}, "every February has its January"),
        (trade(EXPORTS), {"mode": "log"}, "mode must be one of"),
        (trade(EXPORTS), {"outliers": ["XX2018-01"]}, "must read AO or LS"),
        (trade(EXPORTS), {"outliers": ["AO2030-01"]}, "outside the series"),
        (combine(trade(EXPORTS)), {"combined": False}, "January is missing in 2016"),
    ],
)
def test_bad_input_is_refused_with_what_to_do(series: pd.Series, options: dict, words: str) -> None:
    with pytest.raises(ConfigError, match=None) as err:
        seasonal.adjust(series, **options)
    assert words in str(err.value)


def test_synthetic_festival_effect_is_recovered() -> None:
    """A series made from the calendar itself: the festival and working-day coefficients come
    back, and the adjusted series has no festival left."""
    rng = np.random.default_rng(15)
    labels = [f"{y}-{m:02d}" for y in range(2005, 2025) for m in range(1, 13)]
    x = seasonal.calendar_regressors(labels, window=(20, 28))
    n = len(labels)
    pattern = np.tile(rng.normal(0, 0.08, 12), n // 12)
    trend = np.cumsum(0.005 + rng.normal(0, 0.01, n))
    beta = [-0.2, 0.15, -0.1, 0.02]
    logs = 5 + trend + pattern + x.to_numpy() @ beta + rng.normal(0, 0.01, n)
    r = seasonal.adjust(pd.Series(np.exp(logs), index=labels), windows=[(20, 28)])
    coef = r.attrs["coefficients"]
    for name, b in zip(seasonal.calendar_regressors([]).columns, beta, strict=True):
        assert coef[name]["coef"] == pytest.approx(b, abs=0.03), name
    assert coef["working_days"]["coef"] == pytest.approx(0.02, abs=0.003)
    assert seasonal.diagnostics(r)["jan_feb_sd_ratio"] < 1.3


NOTES = [
    ("long", ["对数形式", "节前10天、春节假期7天、节后至正月初一起第21天"]),
    ("long", ["2020年2月加性异常值", "2008年11月水平漂移", "未发现残余季节性"]),
    ("combined", ["1—2月合计数按估计的春节、工作日和季节模式拆分为1月和2月，不按平均拆分"]),
]


@pytest.mark.parametrize(("case", "words"), NOTES)
def test_method_note_in_chinese(case: str, words: list[str]) -> None:
    series = long_exports() if case == "long" else combine(trade(EXPORTS))
    r = seasonal.adjust(series)
    text = seasonal.method_note(r, diagnostics=seasonal.diagnostics(r))
    for w in words:
        assert w in text
    assert text.startswith("季节调整采用RegARIMA模型") and text.endswith("。")


def test_doctests() -> None:
    for module in (seasonal, _adjust, _calendar, _diagnostics, _note, _regarima):
        assert doctest.testmod(module).failed == 0, module.__name__
