"""Cross-table identities (rules/crosstable.yaml): each holds on the demo store and fails on a
seeded mismatch, at its place and with both figures. The first seed is the split the yearbook
printed before the demo data were made coherent: 规模以上工业增加值 704.46 亿元 in 表4-1/7-2 and
1241.47 亿元 summed from the enterprise records in 表4-2/4-3."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from statlib import config
from statlib.checks import Report, confront, load_rules
from statlib.cli import main
from statlib.errors import InputError
from statlib.ingest import ingest_file
from statlib.store import open_store
from statlib.store.store import Store

RULES = config.project_root() / "rules"
IDS = ("parts_within_wholes", "ind_va_equals_units", "survey_weights_match_population")


def _crosstable(report: Report) -> dict[str, object]:
    return {r.rule: r for r in report.results if r.rule in IDS}


def _ingest(store: Store, folder: Path, rows: list[tuple[str, str, str, str]]) -> None:
    csv = folder / "seed.csv"
    lines = ["indicator,region,period,value", *(",".join(r) for r in rows)]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert ingest_file(store, csv).rows_added == len(rows)


def _units_plus(store: Store, folder: Path) -> None:
    """The 2023 value added of 黑河旗's largest above-scale industrial unit + 537.01 亿元: the
    units of 云川市 then sum to 1241.47 亿元 against the published 704.46."""
    unit = store.backend.scalar(
        "SELECT unit_id FROM enterprise WHERE year = 2023 AND region = '990208' "
        "AND category = 'industry' AND above_scale ORDER BY value_added DESC LIMIT 1"
    )
    store.backend.execute(
        "UPDATE enterprise SET value_added = value_added + 5370100 "
        "WHERE year = 2023 AND unit_id = ?",
        [unit],
    )


def _ind_va_above_secondary(store: Store, folder: Path) -> None:
    _ingest(store, folder, [("ind_va", "990200", "2023-12", "1241.47")])


def _secondary_above_gdp(store: Store, folder: Path) -> None:
    gdp = store.series("gdp", "990300", "2023Q4", "2023Q4").iloc[0]
    _ingest(store, folder, [("va_secondary", "990300", "2023Q4", f"{gdp + 1:.2f}")])


def _county_aggregate_off(store: Store, folder: Path) -> None:
    value = store.series("ind_va", "990204", "2023-12", "2023-12").iloc[0]
    _ingest(store, folder, [("ind_va", "990204", "2023-12", f"{value + 10:.2f}")])


def _weights_off(store: Store, folder: Path) -> None:
    """川东区's respondents of the 2023 营商环境满意度 weigh 10% more than their population."""
    store.backend.execute(
        "UPDATE survey_response SET weight = weight * 1.1 "
        "WHERE survey = '营商环境满意度' AND year = 2023 AND region = '990202'"
    )


Seed = Callable[[Store, Path], None]
# name, seed, (rule, indicator, region, period) of the failure, words its message must hold,
# and the other (rule, region, period) the same seed rightly breaks
CASES: list[tuple[str, Seed, tuple[str, str, str, str], list[str], set[tuple[str, str, str]]]] = [
    (
        "units sum to 1241.47 against 704.46",
        _units_plus,
        ("ind_va_equals_units", "ind_va", "990200", "2023"),
        ["2023年", "规模以上工业增加值", "704.46", "1241.47"],
        {("ind_va_equals_units", "990208", "2023")},
    ),
    (
        "规上工业 1241.47 above 第二产业 1128.87",
        _ind_va_above_secondary,
        ("parts_within_wholes", "ind_va", "990200", "2023"),
        ["部分大于整体", "规模以上工业增加值", "1241.47", "第二产业增加值", "1128.87"],
        {("ind_va_equals_units", "990200", "2023")},  # its units still sum to 704.46
    ),
    (
        "第二产业 above GDP",
        _secondary_above_gdp,
        ("parts_within_wholes", "va_secondary", "990300", "2023"),
        ["第二产业增加值（2023Q4）", "大于地区生产总值（2023Q4）"],
        set(),
    ),
    (
        "county aggregate 10 亿元 above its units",
        _county_aggregate_off,
        ("ind_va_equals_units", "ind_va", "990204", "2023"),
        ["2023年规模以上工业增加值（2023-12）"],
        set(),
    ),
    (
        "survey weights off the population",
        _weights_off,
        ("survey_weights_match_population", "population", "990202", "2023"),
        ["2023年营商环境满意度川东区样本权数占", "年末常住人口占"],
        set(),
    ),
]


@pytest.fixture(scope="module")
def clean(demo_db: Path) -> Report:
    with open_store(str(demo_db)) as store:
        return confront(store, [r for r in load_rules(RULES) if r.id in IDS])


@pytest.mark.parametrize(
    ("rule", "items"),
    [
        ("parts_within_wholes", 22 * 11),  # 22 regions × 2013…2023
        ("ind_va_equals_units", 10 * 11),  # 云川市 and its 9 counties × 2013…2023
        ("survey_weights_match_population", 3 * 2),  # 3 surveys × 2022, 2023
    ],
)
def test_identity_holds_on_the_demo_store(clean: Report, rule: str, items: int) -> None:
    result = clean.result(rule)
    assert not result.errors, result.errors
    assert (result.items, result.passes, result.fails, result.missing) == (items, items, 0, 0)


@pytest.mark.parametrize(
    ("name", "seed", "place", "words", "others"), CASES, ids=[c[0] for c in CASES]
)
def test_identity_fails_on_a_seeded_mismatch(
    demo_db: Path,
    tmp_path: Path,
    name: str,
    seed: Seed,
    place: tuple[str, str, str, str],
    words: list[str],
    others: set[tuple[str, str, str]],
) -> None:
    path = tmp_path / "seeded.duckdb"
    shutil.copy(demo_db, path)
    with open_store(str(path), read_only=False) as store:
        seed(store, tmp_path)
    with open_store(str(path)) as store:
        report = confront(store, [r for r in load_rules(RULES) if r.id in IDS])
    found = {(f.rule, f.region, f.period) for f in report.failures()}
    assert found == {(place[0], *place[2:]), *others}, name
    rule = report.result(place[0])
    failure = next(f for f in rule.failures if (f.region, f.period) == place[2:])
    assert failure.indicator == place[1]
    for word in words:
        assert word in failure.message, (word, failure.message)
    assert failure.difference is not None and abs(failure.difference) > 0.005
    assert {r.rule for r in report.blocking_failures()} == {place[0], *(o[0] for o in others)}


def test_seeded_split_fails_the_check_command(demo_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "seeded.duckdb"
    shutil.copy(demo_db, path)
    runner = CliRunner()
    clean = runner.invoke(main, ["check", "--db", str(path), "--period", "2023-12"])
    assert clean.exit_code == 0, clean.output
    assert "ind_va_equals_units" in clean.output and "parts_within_wholes" in clean.output
    with open_store(str(path), read_only=False) as store:
        _units_plus(store, tmp_path)
    bad = runner.invoke(main, ["check", "--db", str(path), "--period", "2023-12"])
    assert bad.exit_code == 7, bad.output
    assert "ind_va 990200 2023" in bad.output
    assert "704.46" in bad.output and "1241.47" in bad.output


@pytest.mark.parametrize(
    ("case", "body", "field"),
    [
        (
            "units not a mapping",
            "    indicator: ind_va\n    value: value_added\n    units: [industry]\n",
            "units",
        ),
        (
            "factor not a number",
            "    indicator: ind_va\n    value: value_added\n    factor: x\n",
            "factor",
        ),
        ("no value column", "    indicator: ind_va\n", "value"),
    ],
)
def test_bad_unit_sum_rule_names_the_field(
    tmp_path: Path, case: str, body: str, field: str
) -> None:
    (tmp_path / "bad.yaml").write_text(
        "rules:\n  - id: u1\n    type: unit_sum\n    description: 单位汇总\n"
        "    severity: blocking\n    regions: [990200]\n" + body,
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        load_rules(tmp_path)
    assert info.value.column == field and "u1" in str(info.value), case
