"""The store's queries, metadata and vintages — the same answers on DuckDB and PostgreSQL."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from statlib import ConfigError, DataError, open_store
from statlib.ingest import ingest_file
from statlib.store import layers
from statlib.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
NBS = ROOT / "data" / "nbs"


@pytest.mark.parametrize(
    ("indicator", "region", "period", "value"),
    [
        ("地区生产总值", "内蒙古自治区", "2024", 26337.0),  # NBS export, rows are regions
        ("gdp", "150000", "2006", 4212.3),
        ("地区生产总值", "北京市", "2006", 8618.9),
        ("国内生产总值", "全国", "2015", 702511.5),  # re-typed national table, alias of gdp
        ("第三产业增加值", "全国", "2024", 765582.5),
        ("人口数(人口抽样调查)", "北京市", "2015", 335775.0),  # unit (人) split off the name
        ("城镇单位就业人员", "新疆维吾尔自治区", "2008", 248.2),
        ("居民消费价格指数", "全国", "2020-02", 105.2),  # periods as rows, newest first
        ("居民消费价格指数", "全国", "2016-01", 101.8),
        ("食品烟酒类居民消费价格指数", "全国", "2019-12", 112.9),
        ("出口总值当期值", "全国", "2019-12", 238267589.0),
        ("fai_growth", "内蒙古自治区", "2026-06", -3.4),  # long file, value column named *_yoy_pct
        ("fai_growth", "全国", "2010-02", 26.6),
        ("ind_va_growth", "150000", "2026-06", 8.4),
        ("地区生产总值", "云川市", "2023Q4", 2846.39),  # demo city
    ],
)
def test_series_values(
    any_store: Store, indicator: str, region: str, period: str, value: float
) -> None:
    series = any_store.series(indicator, region)
    assert series[period] == pytest.approx(value)
    assert list(series.index) == sorted(series.index)


@pytest.mark.parametrize(
    ("indicator", "unit", "frequency", "price_basis"),
    [
        ("地区生产总值", "亿元", "Q", "current"),
        ("gdp_growth", "%", "Q", "comparable"),
        ("城镇单位就业人员", "万人", "A", ""),
        ("居民消费价格指数", "上年同月=100", "M", ""),
        ("固定资产投资(不含农户)", "亿元", "M", "current"),
    ],
)
def test_metadata(
    any_store: Store, indicator: str, unit: str, frequency: str, price_basis: str
) -> None:
    ind = any_store.indicator(indicator)
    assert (ind.unit, ind.frequency, ind.price_basis) == (unit, frequency, price_basis)
    assert ind.definition and ind.decimals >= 0


def test_regions(any_store: Store) -> None:
    assert any_store.region("内蒙古自治区").code == "150000"
    assert any_store.region("990200").name == "云川市"
    assert len(any_store.peers("云川市")) == 12
    counties = any_store.children("云川市")
    assert len(counties) >= 8
    total = any_store.cross_section("gdp", [c.code for c in counties], "2023Q4").sum()
    assert total == pytest.approx(any_store.series("gdp", "990200")["2023Q4"])


def test_empty_cells_and_trailing_columns_are_not_stored(any_store: Store) -> None:
    pop = any_store.series("人口数(人口抽样调查)", "北京市")
    assert "2025" not in pop.index and "2020" not in pop.index  # empty in the export
    assert len(pop) == 17


def test_two_month_combination(any_store: Store) -> None:
    fai = any_store.series("fai", "990200", "2023-01", "2023-12")
    assert list(fai.index) == [f"2023-{m:02d}" for m in range(2, 13)]


def test_range_and_frame(any_store: Store) -> None:
    s = any_store.series("gdp", "990200", start="2023Q2", end="2023Q3")
    assert list(s.index) == ["2023Q2", "2023Q3"]
    by_ind = any_store.frame(["gdp", "gdp_growth"], "云川市", start="2023Q1")
    assert list(by_ind.columns) == ["gdp", "gdp_growth"]
    assert list(by_ind.index) == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
    by_reg = any_store.frame("gdp", ["990200", "990100"], start="2023Q4")
    assert list(by_reg.columns) == ["990200", "990100"]
    both = any_store.frame(["gdp", "gdp_growth"], ["990200", "990100"], start="2023Q4")
    assert both.loc["2023Q4", ("gdp", "990200")] == pytest.approx(2846.39)


@pytest.mark.parametrize(
    ("indicator", "region", "message"),
    [
        ("不存在的指标", "全国", "unknown indicator"),
        ("gdp", "火星", "unknown region"),
        ("地区生产", "全国", "did you mean"),
    ],
)
def test_unknown_references(any_store: Store, indicator: str, region: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        any_store.series(indicator, region)


def test_vintage_argument_checked(any_store: Store) -> None:
    with pytest.raises(DataError, match="vintage"):
        any_store.series("gdp", "990200", vintage="yesterday")
    with pytest.raises(DataError, match="does not exist"):
        any_store.series("gdp", "990200", vintage=9999)


def _revised_export(tmp_path: Path) -> Path:
    text = (NBS / "分省年度数据.csv").read_text(encoding="utf-8")
    revised = text.replace("内蒙古自治区,26337.0,", "内蒙古自治区,26400.0,")
    assert revised != text
    path = tmp_path / "分省年度数据_修订.csv"
    path.write_text(revised, encoding="utf-8")
    return path


def test_revision_adds_a_vintage_and_keeps_the_old_value(
    any_writable: Store, tmp_path: Path
) -> None:
    store = any_writable
    before = store.latest_vintage()
    obs_before = store.info()["observations"]
    report = ingest_file(store, _revised_export(tmp_path))
    assert (report.rows_read, report.rows_added, report.vintage) == (589, 1, before + 1)
    assert store.series("gdp", "150000")["2024"] == 26400.0
    assert store.series("gdp", "150000", vintage="first")["2024"] == 26337.0
    assert store.series("gdp", "150000", vintage=before)["2024"] == 26337.0
    assert store.series("gdp", "150000")["2023"] == 25020.5  # unchanged values stay
    assert store.info()["observations"] == obs_before + 1
    log = store.vintages().iloc[-1]
    assert log["rows_added"] == 1 and "第五次全国经济普查" in log["note"]
    # the same content again adds nothing, whatever the file is called
    again = ingest_file(store, _revised_export(tmp_path))
    assert again.rows_added == 0 and again.vintage is None
    copy = tmp_path / "renamed.csv"
    copy.write_text(
        _revised_export(tmp_path).read_text(encoding="utf-8").replace("\r\n", "\n"),
        encoding="utf-8",
    )
    assert ingest_file(store, copy).rows_added == 0
    assert store.latest_vintage() == before + 1
    assert store.info()["observations"] == obs_before + 1


def test_reloading_every_source_adds_nothing(any_writable: Store) -> None:
    before = any_writable.info()
    for path in sorted(NBS.glob("*.csv")):
        assert ingest_file(any_writable, path).rows_added == 0
    assert any_writable.info() == before


def test_unit_level_and_survey_data(any_store: Store) -> None:
    units = any_store.units(2023)
    assert units["above_scale"].sum() >= 1500
    assert set(units["region"]) <= {c.code for c in any_store.children("990200")}
    survey = any_store.survey(year=2023)
    assert survey.groupby("survey")["respondent_id"].nunique().min() >= 2000


def test_info_counts(any_store: Store) -> None:
    info = any_store.info()
    assert info["observations"] > 70000 and info["vintages"] == 7
    assert info["indicators"] >= 40 and info["regions"] >= 50


def test_floats_come_back_exactly(any_store: Store) -> None:
    value = any_store.series("gdp", "990200")["2023Q4"]
    assert repr(float(value)) == "2846.39" and not math.isnan(value)


@pytest.mark.parametrize("read_only", [True, False])
def test_opening_a_missing_database_never_builds_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_only: bool
) -> None:
    missing = tmp_path / "statlib.duckdb"
    monkeypatch.setenv("STATLIB_DB", str(missing))
    with pytest.raises(DataError, match=r"does not exist — run `statlib db init`"):
        open_store(read_only=read_only)
    assert list(tmp_path.iterdir()) == []


def test_first_build_says_it_creates_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`statlib build` on a fresh checkout creates the database from the bundled demo data,
    saying so in one line on stderr, once the release file is read; the run then stops at a
    wrong --override (an argument checked later), so that no job runs."""
    from click.testing import CliRunner

    from statlib.cli import main

    fresh = tmp_path / "data" / "statlib.duckdb"
    monkeypatch.setenv("STATLIB_DB", str(fresh))
    args = ["build", "--params", str(ROOT / "params" / "2023.yaml"), "--override", "no-reason"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "--override" in result.stderr
    assert result.stderr.splitlines()[0] == (
        f"creating the database {fresh} from the bundled demo data"
    )
    with open_store() as store:
        assert store.series("gdp", "990200")["2023Q4"] == 2846.39
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 2 and "creating the database" not in again.stderr


def test_public_edition_never_serves_confidential_values(demo_db: Path) -> None:
    with open_store(str(demo_db)) as internal:
        full = internal.observations("ind_va", "990208")
    with open_store(str(demo_db), edition="public") as public:
        served = public.observations("ind_va", "990208")
    confidential = full["flags"].fillna("").str.contains("C")
    assert confidential.sum() > 0
    assert served.loc[confidential, "value"].isna().all()
    assert served.loc[confidential, "flags"].str.contains("S").all()


def test_the_store_imports_no_disclosure_but_public_reads_are_filtered(demo_db: Path) -> None:
    """The store is at the bottom: importing it loads no disclosure code; a public read in a
    fresh process still arrives suppressed (the view is imported by name, then registered)."""
    code = (
        "import sys, statlib.store as st\n"
        "print(sorted(m for m in sys.modules if m.startswith('statlib.disclosure')))\n"
        f"s = st.open_store({str(demo_db)!r}, edition='public')\n"
        "f = s.observations('ind_va', '990208')\n"
        "print(int(f['flags'].fillna('').str.contains('S').sum()), int(f['value'].isna().sum()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    with open_store(str(demo_db)) as internal:
        full = internal.observations("ind_va", "990208")
    confidential = int(full["flags"].fillna("").str.contains("C").sum())
    assert out[0] == "[]"
    suppressed, missing = map(int, out[1].split())
    assert suppressed == missing and suppressed >= confidential > 0


@pytest.mark.parametrize("edition", ["public", "masked"])
def test_a_layer_without_a_view_is_refused(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch, edition: str
) -> None:
    layers.view("public")  # registered now; then taken away, with a provider that registers none
    monkeypatch.delitem(layers._VIEWS, "public")
    monkeypatch.setitem(layers.PROVIDERS, "public", "statlib.errors")
    with pytest.raises(ConfigError, match="no view is registered for the public data layer"):
        open_store(str(demo_db), edition=edition)
    with open_store(str(demo_db), edition="internal") as store:  # internal needs no filter
        assert store.value("gdp", "990200", "2023Q4") == 2846.39


@pytest.mark.parametrize("edition", ["internal", "public"])
def test_read_only_duckdb_reuses_reads(demo_db: Path, edition: str) -> None:
    """A read-only DuckDB file cannot change while open (its lock keeps writers out): a read
    asked twice is served again, as a copy the caller may change."""
    with open_store(str(demo_db), edition=edition) as store:
        assert store.backend.snapshot
        first = store.observations("fai_growth", "990203", "2023-11", "2023-11")
        expected = first["value"].tolist()
        first["value"] = -1.0
        again = store.observations("fai_growth", "990203", "2023-11", "2023-11")
        assert again["value"].tolist() == expected and again is not first
        assert store.value("fai_growth", "990203", "2023-11") == expected[0]


def test_writable_store_reads_what_it_just_wrote(writable: Store, tmp_path: Path) -> None:
    assert not writable.backend.snapshot
    before = writable.value("cpi", "990200", "2023-11")
    path = tmp_path / "cpi.csv"
    path.write_text("indicator,region,period,value\ncpi,990200,2023-11,123.4\n", encoding="utf-8")
    ingest_file(writable, path)
    assert before != 123.4 and writable.value("cpi", "990200", "2023-11") == 123.4


@pytest.mark.parametrize(
    ("key", "code"),
    [("内蒙古", "150000"), ("上海", "310000"), ("广西", "450000"), ("香港", None), ("云川", None)],
)
def test_a_province_by_its_short_name(any_store: Store, key: str, code: str | None) -> None:
    """NBS panels write 内蒙古 for 内蒙古自治区; a city keeps its whole name (云川市)."""
    if code is None:
        with pytest.raises(DataError, match="unknown region"):
            any_store.region(key)
    else:
        assert any_store.region(key).code == code
