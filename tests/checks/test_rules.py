"""Validation rules as data (TRUST.md §2, figure R2): clean demo data raises no blocking failure;
faults seeded by ingesting small CSVs are each found by the right rule, at their place, with no
false flag; malformed rule files are refused naming file, rule and field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from statlib import config
from statlib.checks import RULE_TYPES, Report, confront, load_rules, override
from statlib.cli import main
from statlib.errors import ConfigError, InputError
from statlib.ingest import ingest_file
from statlib.store import open_store

RULES = config.project_root() / "rules"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"

Place = tuple[str, str, str, str]  # rule, indicator, region, period

# name, rows to ingest (indicator, region, period, value), the fault's place, and the further
# records the same fault rightly breaks (a changed county level also breaks its growth rate).
SEEDS: list[tuple[str, list[tuple[str, str, str, str]], Place, list[Place]]] = [
    (
        "hierarchy: county value +10",
        [("fiscal_rev", "990204", "2023-06", "28.87")],
        ("counties_sum_to_city", "fiscal_rev", "990200", "2023-06"),
        [("nominal_growth_matches_levels", "fiscal_rev_growth", "990204", "2023-06")],
    ),
    (
        "balance: GDP component +5",
        [("va_tertiary", "990100", "2023Q2", "874.08")],
        ("gdp_three_industries", "gdp", "990100", "2023Q2"),
        [("cities_sum_to_region", "va_tertiary", "990000", "2023Q2")],
    ),
    (
        "growth: stated rate +3 points",
        [("retail_cum_growth", "990300", "2023-09", "12.6")],
        ("nominal_growth_matches_levels", "retail_cum_growth", "990300", "2023-09"),
        [],
    ),
    (
        "range: CPI 135",
        [("cpi", "990200", "2023-07", "135.0")],
        ("cpi_index_range", "cpi", "990200", "2023-07"),
        [],
    ),
    (
        "completeness: missing month 2024-02",
        [
            ("deposits", "990100", "2024-01", "7806.11"),
            ("deposits", "990100", "2024-03", "7981.16"),
            ("deposits_growth", "990100", "2024-01", "10.0"),
            ("deposits_growth", "990100", "2024-03", "10.0"),
        ],
        ("no_missing_period", "deposits", "990100", "2024-02"),
        [("no_missing_period", "deposits_growth", "990100", "2024-02")],
    ),
    (
        "completeness: separate January of a cumulative level",
        [("retail_cum", "990500", "2023-01", "25.00")],
        ("no_missing_period", "retail_cum", "990500", "2023-01"),
        [],
    ),
    (
        "outlier: county value ×5",
        [("loans", "990207", "2023-12", "857.75")],
        ("county_outliers_hb", "loans", "990207", "2023-12"),
        [
            ("counties_sum_to_city", "loans", "990200", "2023-12"),
            ("nominal_growth_matches_levels", "loans_growth", "990207", "2023-12"),
        ],
    ),
    (
        "conditional: tax revenue above fiscal revenue",
        [("tax_rev", "990600", "2023-04", "40.00")],
        ("tax_within_fiscal", "tax_rev", "990600", "2023-04"),
        [
            ("cities_sum_to_region", "tax_rev", "990000", "2023-04"),
            ("nominal_growth_matches_levels", "tax_rev_growth", "990600", "2023-04"),
        ],
    ),
]
SEED_IDS = [s[0] for s in SEEDS]


def _places(report: Report) -> set[Place]:
    return {(f.rule, f.indicator, f.region, f.period) for f in report.failures()}


def _blocking_places(report: Report) -> set[Place]:
    blocking = {r.rule for r in report.results if r.severity == "blocking"}
    return {p for p in _places(report) if p[0] in blocking}


@pytest.fixture(scope="module")
def rules() -> list:
    return load_rules(RULES)


@pytest.fixture(scope="module")
def clean_report(demo_db: Path, rules: list) -> Report:
    with open_store(str(demo_db)) as store:
        return confront(store, rules)


@pytest.fixture(scope="module")
def seeded(
    demo_db: Path, rules: list, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Report, str]:
    """One copy of the demo database with every fault ingested (one small CSV each) and a
    duplicate key written past the loader, confronted once."""
    folder = tmp_path_factory.mktemp("seeded")
    path = folder / "seeded.duckdb"
    shutil.copy(demo_db, path)
    with open_store(str(path), read_only=False) as store:
        for number, (_, rows, _, _) in enumerate(SEEDS, 1):
            csv = folder / f"seed_{number}.csv"
            lines = ["indicator,region,period,value", *(",".join(r) for r in rows)]
            csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
            assert ingest_file(store, csv).rows_added == len(rows)
        # The loader and the store's key refuse duplicate keys; a store built before the key
        # (schema 1) could hold one: rebuild the table without its key, write one past both.
        be = store.backend
        be.execute("CREATE TABLE _unkeyed AS SELECT * FROM observation")
        be.execute("DROP TABLE observation")
        be.execute("ALTER TABLE _unkeyed RENAME TO observation")
        be.execute(
            "INSERT INTO observation SELECT * FROM observation "
            "WHERE indicator = 'gdp' AND region = '990700' AND period = '2023Q3'"
        )
    with open_store(str(path)) as store:
        return confront(store, rules), str(path)


# -- R2: clean data ---------------------------------------------------------------------------


def test_every_rule_type_is_used_and_checks_items(rules: list, clean_report: Report) -> None:
    assert {r.type for r in rules} == set(RULE_TYPES)
    for r in clean_report.results:
        assert not r.errors, (r.rule, r.errors)
        assert r.items == r.passes + r.fails + r.missing
        if r.rule != "share_range":  # the demo catalogue has no share indicator
            assert r.items > 0, r.rule


def test_clean_demo_data_raises_no_blocking_failure(clean_report: Report) -> None:
    failing = {r.rule: r.failures[:3] for r in clean_report.blocking_failures()}
    assert failing == {}
    assert _blocking_places(clean_report) == set()


def test_clean_demo_data_missing_values_are_the_declared_ones(clean_report: Report) -> None:
    # 草甸旗 (990210) income of 2013 is flagged N (not available): 4 quarters, reported as
    # missing by the rules that read it, never as failing.
    assert clean_report.result("level_non_negative").missing == 4
    assert clean_report.result("nominal_growth_matches_levels").missing == 4


# -- R2: seeded faults ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "rows", "place", "cascade"), SEEDS, ids=SEED_IDS)
def test_seeded_fault_found_by_its_rule_at_its_place(
    seeded: tuple[Report, str], name: str, rows: list, place: Place, cascade: list[Place]
) -> None:
    report, _ = seeded
    assert place in _places(report), name
    for consequence in cascade:
        assert consequence in _places(report), consequence
    rule = place[0]
    failure = next(
        f for f in report.result(rule).failures if (f.indicator, f.region, f.period) == place[1:]
    )
    assert failure.message and failure.expected is not None


def test_seeded_duplicate_key_found(seeded: tuple[Report, str]) -> None:
    report, _ = seeded
    assert ("one_latest_value", "gdp", "990700", "2023Q3") in _places(report)


def test_r2_seeded_all_found_no_false_flag(seeded: tuple[Report, str]) -> None:
    """Figure R2: N seeded, N found, 0 false flags (blocking failures outside the faults)."""
    report, _ = seeded
    places = _places(report)
    expected = {s[2] for s in SEEDS} | {("one_latest_value", "gdp", "990700", "2023Q3")}
    allowed = expected | {c for s in SEEDS for c in s[3]}
    found = expected & places
    false_flags = _blocking_places(report) - allowed
    print(f"R2: {len(expected)} seeded, {len(found)} found, {len(false_flags)} false flags")
    assert (len(found), false_flags) == (len(expected), set())
    assert {r.rule for r in report.blocking_failures()} == {
        p[0] for p in allowed if p[0] != "county_outliers_hb"
    }


def test_failure_names_the_load_it_came_from(seeded: tuple[Report, str]) -> None:
    report, _ = seeded
    failure = next(f for f in report.result("cpi_index_range").failures if f.region == "990200")
    assert failure.values == {"cpi": 135.0}
    assert failure.expected == "[80, 130]"
    assert failure.source.endswith("seed_4.csv") and failure.vintage is not None
    hier = next(
        f for f in report.result("counties_sum_to_city").failures if f.indicator == "fiscal_rev"
    )
    assert hier.difference == pytest.approx(-10.0)
    assert hier.values["990204"] == 28.87


def test_period_restricts_the_check(seeded: tuple[Report, str], rules: list) -> None:
    _, path = seeded
    with open_store(path) as store:
        report = confront(store, rules, period="2023Q2")
    places = _blocking_places(report)
    assert ("gdp_three_industries", "gdp", "990100", "2023Q2") in places
    assert all(
        p[3] in ("2023-04", "2023-05", "2023-06", "2023Q2") or p[0] == "no_missing_period"
        for p in places
    )
    assert ("cpi_index_range", "cpi", "990200", "2023-07") not in places
    with pytest.raises(ConfigError, match="period"):
        with open_store(path) as store:
            confront(store, rules, period="2023-13")


# -- the report -------------------------------------------------------------------------------


def test_report_frame_json_text_and_override(seeded: tuple[Report, str]) -> None:
    report, _ = seeded
    frame = report.to_frame()
    assert len(frame) == len(report.failures())
    assert {"rule", "indicator", "region", "period", "values", "expected", "source"} <= set(
        frame.columns
    )
    payload = json.loads(report.to_json())
    assert "cpi_index_range" in payload["blocking_failures"]
    text = report.summary_text()
    assert "未通过阻断规则" in text and "cpi_index_range" in text

    before = len(report.blocking_failures())
    changed = override(report, "cpi_index_range", "CPI 经调查队核实无误", "王审核")
    assert report.overrides == ()  # immutable: a changed copy
    assert len(changed.blocking_failures()) == before - 1
    assert json.loads(changed.to_json())["overrides"][0]["who"] == "王审核"
    assert "豁免 override cpi_index_range" in changed.summary_text()
    with pytest.raises(ConfigError, match="reason"):
        override(report, "cpi_index_range", " ", "王审核")
    with pytest.raises(ConfigError, match="no rule"):
        override(report, "no_such_rule", "x", "y")


def test_rule_that_cannot_run_reports_an_error(demo_db: Path, tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(
        "rules:\n  - id: typo\n    type: range\n    description: 拼写错误\n"
        "    severity: blocking\n    indicators: [gdpp]\n    regions: [990200]\n    min: 0\n",
        encoding="utf-8",
    )
    with open_store(str(demo_db)) as store:
        report = confront(store, load_rules(tmp_path))
    assert report.result("typo").errors and "gdpp" in report.result("typo").errors[0]
    assert [r.rule for r in report.blocking_failures()] == ["typo"]


# -- invalid rule files -----------------------------------------------------------------------

_BASE = (
    "  - id: r1\n    type: range\n    description: 测试\n    severity: blocking\n"
    "    indicators: [gdp]\n    regions: [990200]\n    min: 0\n"
)

BAD_FILES = [
    ("unknown type", _BASE.replace("type: range", "type: ratio"), "r1", "type"),
    ("missing field", _BASE.replace("    regions: [990200]\n", ""), "r1", "regions"),
    ("missing description", _BASE.replace("    description: 测试\n", ""), "r1", "description"),
    ("unknown field", _BASE + "    maxx: 3\n", "r1", "maxx"),
    ("bad severity", _BASE.replace("blocking", "fatal"), "r1", "severity"),
    ("bound not a number", _BASE.replace("min: 0", "min: zero"), "r1", "min"),
    ("duplicate id", _BASE + _BASE, "r1", "id"),
    (
        "bad tolerance",
        _BASE.replace("type: range", "type: balance")
        .replace(
            "    indicators: [gdp]\n",
            "    total: gdp\n    parts: [va_primary]\n    tolerance: -1\n",
        )
        .replace("    min: 0\n", ""),
        "r1",
        "tolerance",
    ),
    (
        "bad condition",
        "  - id: c1\n    type: conditional\n    description: 条件\n"
        "    severity: warning\n    regions: [990200]\n    if: {indicator: gdp}\n"
        "    then: {indicator: gdp_growth, present: true}\n",
        "c1",
        "if",
    ),
]


@pytest.mark.parametrize(
    ("case", "body", "rule", "field"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_invalid_rule_file_names_file_rule_and_field(
    tmp_path: Path, case: str, body: str, rule: str, field: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("rules:\n" + body, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_rules(tmp_path)
    err = info.value
    assert err.file == str(path)
    assert err.column == field
    assert rule in str(err) and "bad.yaml" in str(err)
    assert err.row is not None


@pytest.mark.parametrize("text", ["rules: [\n", "rules: 3\n"])
def test_malformed_yaml_names_the_file(tmp_path: Path, text: str) -> None:
    (tmp_path / "broken.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.yaml"):
        load_rules(tmp_path)


def test_fixture_rules_load() -> None:
    rules = load_rules(FIXTURES)
    assert [r.id for r in rules] == ["cpi_strict"]


# -- the command ------------------------------------------------------------------------------


def test_cli_check_exit_codes(seeded: tuple[Report, str], db_copy: Path) -> None:
    runner = CliRunner()
    clean = runner.invoke(main, ["check", "--db", str(db_copy), "--period", "2023-12"])
    assert clean.exit_code == 0, clean.output
    assert "阻断规则全部通过" in clean.output
    _, path = seeded
    bad = runner.invoke(main, ["check", "--db", path, "--period", "2023-07", "--json"])
    assert bad.exit_code == 7, bad.output
    assert "cpi_index_range" in json.loads(bad.output)["blocking_failures"]
    strict = runner.invoke(
        main, ["check", "--db", str(db_copy), "--rules", str(FIXTURES), "--period", "2023-07"]
    )
    assert strict.exit_code == 7 and "cpi_strict" in strict.output
    missing = runner.invoke(main, ["check", "--db", str(db_copy), "--rules", "no/such/dir"])
    assert missing.exit_code == 4
