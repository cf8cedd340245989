"""The panel reader: one row per region and period, one column per indicator with its unit.

Values are real: NBS figures of data/nbs/ (地区生产总值, 城镇单位就业人员, 内蒙古's monthly
固定资产投资增长), the demo city's quarterly GDP, 北京市's and 内蒙古's 年末常住人口 of their 2023
statistical communiqués; the real fixtures are in tests/fixtures/panel/ (README there).
A value already stored under its canonical key loads as nothing new (rows_read 1, rows_added 0):
proof that the reader put it under that key with that value.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from statlib.errors import InputError
from statlib.ingest import ingest_file, read
from statlib.ingest.bundle import build, sources
from statlib.ingest.panel import indicator_header
from statlib.store import open_store
from statlib.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
NBS = ROOT / "data" / "nbs"
PANEL = ROOT / "tests" / "fixtures" / "panel"
BAD = ROOT / "tests" / "fixtures" / "bad"
BUILT = PANEL / "分省年度数据_面板.csv"
REAL = PANEL / "分省年度数据_整合_摘录.csv"
NBS_FILES = ("分省年度数据.csv", "分省年度数据_1.csv", "分省年度数据_3.csv")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("地区生产总值(亿元)", ("地区生产总值", "亿元")),
        ("地区生产总值（亿元）", ("地区生产总值", "亿元")),
        ("地区生产总值 ( 亿元 )", ("地区生产总值", "亿元")),
        ("年末常住人口（万人）", ("年末常住人口", "万人")),
        ("地区生产总值(单位：亿元)", ("地区生产总值", "亿元")),
        ("GDP_亿元", ("GDP", "亿元")),
        ("城镇单位就业人员_万人", ("城镇单位就业人员", "万人")),
        ("人口数(人口抽样调查)(人)", ("人口数(人口抽样调查)", "人")),
        ("固定资产投资（不含农户）增长（％）", ("固定资产投资（不含农户）增长", "%")),
        ("居民消费价格指数(上年同月=100)", ("居民消费价格指数", "上年同月=100")),
        ("出口总值当期值(千美元)", ("出口总值当期值", "千美元")),
        # no unit: the bracket is part of the name, or not a unit
        ("地区生产总值", ("地区生产总值", "")),
        ("固定资产投资（不含农户）", ("固定资产投资（不含农户）", "")),
        ("地区生产总值(亿)", ("地区生产总值(亿)", "")),
        ("GDP_当年价", ("GDP_当年价", "")),
    ],
)
def test_header_forms(header: str, expected: tuple[str, str]) -> None:
    assert indicator_header(header) == expected


# expected: (indicator, region code, period, value, rows_added)
EMP = ("urban_employment", "150000", "2023", 268.7, 0)  # stored from the NBS export
FAI = ("fai_growth", "150000", "2023-03", 39.2, 0)  # stored from the long NBS excerpt
GDP_Q = ("gdp", "990200", "2023Q3", 2076.15, 0)  # the demo city's quarterly GDP
GDP_A = ("gdp", "150000", "2023", 25020.5, 0)
POP_BJ = ("population", "110000", "2023", 2185.8, 1)  # new: 北京 2023 communiqué
POP_NM = ("population", "150000", "2023", 2396.0, 1)
FORMS = [
    # period forms: years, months, quarters (as statlib.periods parses them)
    ("地区,年份,城镇单位就业人员(万人)\n内蒙古自治区,2023,268.7\n", EMP),
    ("地区,年份,城镇单位就业人员(万人)\n内蒙古自治区,2023年,268.7\n", EMP),
    ("地区,年,城镇单位就业人员_万人\n内蒙古自治区,２０２３,268.7\n", EMP),
    ("地区,时间,固定资产投资（不含农户）增长(%)\n内蒙古自治区,2023-03,39.2\n", FAI),
    ("地区,时间,固定资产投资（不含农户）增长（％）\n内蒙古自治区,2023年3月,39.2\n", FAI),
    ("地区,period,fai_growth(%)\n150000,2023-3,39.2\n", FAI),
    ("地区,时间,地区生产总值(亿元)\n云川市,2023Q3,2076.15\n", GDP_Q),
    ("地区,时间,地区生产总值(亿元)\n云川市,2023年第三季度,2076.15\n", GDP_Q),
    # region forms: names, codes (also full-width), code and name columns, English headers
    ("地区,年份,年末常住人口（万人）\n北京市,2023,2185.8\n", POP_BJ),
    ("地区代码,年份,年末常住人口（万人）\n110000,2023,2185.8\n", POP_BJ),
    ("地区,年份,年末常住人口（万人）\n１１００００,2023,2185.8\n", POP_BJ),
    ("region,year,population(万人)\n110000,2023,2185.8\n", POP_BJ),
    ("省份,年度,年末常住人口(万人)\n内蒙古自治区,2023,2396.0\n", POP_NM),
    ("地区代码,地区名称,年份,年末常住人口(万人)\n150000,内蒙古自治区,2023,2396\n", POP_NM),
    # period first (the wide reader would take the years for periods as rows), alias GDP
    ("年份,地区,GDP(亿元)\n2023,内蒙古自治区,25020.5\n", GDP_A),
    # a semicolon file, a thousands grouping, an NBS footer line
    ("地区;年份;GDP_亿元\n内蒙古自治区;2023;25020.5\n", GDP_A),
    ('地区,年份,GDP(亿元)\n内蒙古自治区,2023,"25,020.5"\n数据来源：国家统计局\n', GDP_A),
]


@pytest.mark.parametrize(("text", "expected"), FORMS)
def test_forms_load_under_the_canonical_key(
    writable: Store, tmp_path: Path, text: str, expected: tuple[str, str, str, float, int]
) -> None:
    code, region, period, value, added = expected
    path = tmp_path / "panel.csv"
    path.write_text(text, encoding="utf-8")
    report = ingest_file(writable, path)
    assert (report.reader, report.rows_read, report.rows_added) == ("panel", 1, added)
    assert writable.series(code, region)[period] == value


def test_empty_cells_are_not_available(writable: Store, tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text(
        "地区,年份,年末常住人口（万人）,城镇单位就业人员(万人)\n"
        "北京市,2022,2184.3,\n北京市,2023,,755.6\n内蒙古自治区,2023,2396.0,268.7\n",
        encoding="utf-8",
    )
    batch = read(path)
    assert sorted(
        zip(batch.frame["indicator"], batch.frame["region"], batch.frame["period"], strict=True)
    ) == [
        ("城镇单位就业人员", "内蒙古自治区", "2023"),
        ("城镇单位就业人员", "北京市", "2023"),
        ("年末常住人口", "内蒙古自治区", "2023"),
        ("年末常住人口", "北京市", "2022"),
    ]
    report = ingest_file(writable, path)
    assert (report.rows_read, report.rows_added) == (4, 2)  # employment is stored already
    assert list(writable.series("population", "110000").items()) == [("2022", 2184.3)]


@pytest.mark.parametrize(
    ("name", "reader"),
    [
        ("分省年度数据.csv", "nbs"),
        ("月度数据_全国CPI分类.csv", "nbs"),
        ("年度数据.csv", "nbs"),
        ("fai_industryva_national_innermongolia.csv", "long"),
    ],
)
def test_other_layouts_keep_their_readers(name: str, reader: str) -> None:
    assert read(NBS / name).reader == reader


def test_no_bundled_source_is_taken_for_a_panel() -> None:
    """Every observation file the demo build loads keeps the reader it had."""
    src = sources()
    files = [*src["observations"], *src["nbs"]]
    assert len(files) >= 7
    taken = {p.name: read(p).reader for p in files}
    assert "panel" not in taken.values(), taken


def test_a_national_series_with_periods_as_rows_stays_wide(tmp_path: Path) -> None:
    """Periods that do not repeat and no region column: one region's series, a wide table."""
    path = tmp_path / "national.csv"
    path.write_text("时间,出口总值当期值(千美元)\n2020-01,1\n2020-03,2\n", encoding="utf-8")
    assert read(path).reader == "wide"


def test_xlsx_panel(writable: Store, tmp_path: Path) -> None:
    """A workbook (numbers and years as numbers) with the built panel's 内蒙古 rows: the values
    the NBS exports gave, so nothing new."""
    frame = pd.read_csv(BUILT, dtype=str, keep_default_na=False)
    rows = frame[frame["地区"] == "内蒙古自治区"]
    wb = openpyxl.Workbook()
    wb.active.append(list(frame.columns))
    for rec in rows.itertuples(index=False):
        wb.active.append([rec[0], int(rec[1]), *[float(v) if v else None for v in rec[2:]]])
    wb.save(tmp_path / "panel.xlsx")
    cells = int((rows.iloc[:, 2:] != "").to_numpy().sum())
    report = ingest_file(writable, tmp_path / "panel.xlsx")
    assert (report.reader, report.rows_read, report.rows_added) == ("panel", cells, 0)
    assert cells == 53


def _nbs_column(name: str, year: str) -> dict[str, str]:
    """Province → the cell of one year's column of an NBS export of data/nbs/."""
    frame = pd.read_csv(NBS / name, skiprows=3, dtype=str, keep_default_na=False)
    frame = frame[frame["地区"].str.endswith(("省", "市", "区"))]
    return dict(zip(frame["地区"], frame[f"{year}年"], strict=True))


def test_nbs_export_of_regions_by_indicators(writable: Store, tmp_path: Path) -> None:
    """An NBS export of one year (``时间：2023年``), regions as rows and indicators as columns:
    the 2023 columns of the three exports side by side, with their footer; nothing new."""
    heads = {
        "分省年度数据.csv": "地区生产总值(亿元)",
        "分省年度数据_1.csv": "人口数(人口抽样调查)(人)",
        "分省年度数据_3.csv": "城镇单位就业人员(万人)",
    }
    cols = {head: _nbs_column(name, "2023") for name, head in heads.items()}
    provinces = list(cols["地区生产总值(亿元)"])
    lines = ["数据库：分省年度数据", "时间：2023年", "发布时间：2024-09-30"]
    lines += [",".join(["地区", *heads.values()])]
    lines += [",".join([p, *(c[p] for c in cols.values())]) for p in provinces]
    lines += ["注：城镇单位数据不含私营单位。", "数据来源：国家统计局"]
    path = tmp_path / "分省年度数据_2023.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    batch = read(path)
    assert (batch.reader, batch.note, len(batch.frame)) == (
        "panel",
        "注：城镇单位数据不含私营单位。",
        93,
    )
    assert set(batch.frame["period"]) == {"2023"} and len(provinces) == 31
    assert batch.published == datetime.date(2024, 9, 30)
    latest = writable.series("gdp", "150000")
    report = ingest_file(writable, path)
    # published before the demo's NBS vintages (dated by their load): an earlier vintage of the
    # same values, which changes no answer of today
    assert (report.rows_read, report.rows_added, report.published) == (93, 93, "2024-09-30")
    pd.testing.assert_series_equal(writable.series("gdp", "150000"), latest)
    as_then = writable.series("gdp", "150000", as_of="2024-10-01")
    assert as_then.to_dict() == {"2023": 25020.5}
    path.write_text("\n".join(lines).replace("2024-09-30", "2024-13-01") + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read(path)
    assert (err.value.row, err.value.column) == (3, "发布时间")


# ---- the real fixtures ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def store_without_nbs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built from data/ without the NBS exports (catalogues and demo data only)."""
    data = tmp_path_factory.mktemp("data")
    for part in ("catalogue", "demo"):
        (data / part).symlink_to(ROOT / "data" / part)
    (data / "nbs").mkdir()
    path = data / "no_nbs.duckdb"
    build(str(path), data_dir=data)
    return path


def _nbs_cells() -> int:
    return sum(len(read(NBS / name).frame) for name in NBS_FILES)


def test_built_panel_gives_the_nbs_values_as_a_new_vintage(
    store_without_nbs: Path, demo_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "fresh.duckdb"
    shutil.copyfile(store_without_nbs, db)
    with open_store(str(db), read_only=False) as fresh:
        before = fresh.latest_vintage()
        report = ingest_file(fresh, BUILT)
        assert (report.reader, report.rows_read, report.rows_added) == ("panel", 1643, 1643)
        assert report.vintage == before + 1 and _nbs_cells() == 1643
        again = ingest_file(fresh, BUILT)
        assert (again.rows_added, again.vintage) == (0, None)
        assert again.message.startswith(f"same content as vintage {report.vintage}: nothing")
        with open_store(str(demo_db)) as demo:
            regions = demo.regions()
            provinces = regions["code"][regions["level"].eq("province")]
            provinces = [c for c in provinces if not c.startswith("99")]  # not the demo
            assert len(provinces) == 31
            for code in ("gdp", "population_sample", "urban_employment"):
                for region in provinces:
                    pd.testing.assert_series_equal(
                        fresh.series(code, region), demo.series(code, region)
                    )
        assert fresh.series("gdp", "150000")[["2023", "2024"]].tolist() == [25020.5, 26337.0]
        assert fresh.series("population_sample", "110000")["2015"] == 335775
        assert fresh.series("urban_employment", "150000")["2024"] == 284.3


def test_built_panel_adds_nothing_to_the_demo_store(any_writable: Store) -> None:
    """On both backends: every value of the built panel is the NBS exports' value."""
    report = ingest_file(any_writable, BUILT)
    assert (report.rows_read, report.rows_added, report.vintage) == (1643, 0, None)
    assert report.message == "every value is already stored: nothing added"


def _full_name(store: Store, short: str) -> str:
    names = [n for n in store.regions()["name"] if n.startswith(short)]
    assert len(names) == 1, names
    return names[0]


def test_real_panel_excerpt_reads_the_nbs_values(demo_db: Path) -> None:
    """The thesis panel's own headers (units after an underscore, GDP by its alias): every value
    equals the NBS export's for the province it names by its short name."""
    batch = read(REAL)
    assert batch.reader == "panel" and batch.frame is not None
    assert batch.units == {"GDP": "亿元", "城镇单位就业人员": "万人"}
    assert len(batch.frame) == 36
    codes = {"GDP": "gdp", "城镇单位就业人员": "urban_employment"}
    with open_store(str(demo_db)) as demo:
        for rec in batch.frame.itertuples():
            region = demo.region(_full_name(demo, rec.region)).code
            assert demo.series(codes[rec.indicator], region)[rec.period] == rec.value, rec
    first = batch.frame.iloc[0]
    assert (first["region"], first["period"], first["value"], first["_row"]) == (
        "上海",
        "2019",
        40241.2,
        2,
    )


def test_real_panel_excerpt_loads_by_short_names(writable: Store) -> None:
    """The thesis panel names provinces as NBS panels do (上海, 内蒙古, 北京): each short name
    is its province's (the loader strips 省, 市, 自治区…), and every value is already stored."""
    report = ingest_file(writable, REAL)
    assert (report.rows_read, report.rows_added) == (36, 0)
    assert report.message == "every value is already stored: nothing added"


@pytest.mark.parametrize(
    ("short", "code"),
    [("上海", "310000"), ("内蒙古", "150000"), ("广西", "450000"), ("新疆", "650000"),
     ("宁夏", "640000"), ("西藏", "540000"), ("河北", "130000")],
)  # fmt: skip
def test_province_short_names_resolve(
    writable: Store, short: str, code: str, tmp_path: Path
) -> None:
    path = tmp_path / "short.csv"
    value = writable.series("gdp", code)["2023"] + 1
    path.write_text(f"地区,年份,地区生产总值(亿元)\n{short},2023,{value}\n", encoding="utf-8")
    assert ingest_file(writable, path).rows_added == 1
    assert writable.series("gdp", code)["2023"] == value


# ---- refusals ------------------------------------------------------------------------------

# corpus file → words of its message (the row and column are those of the corpus table, which
# tests/ingest/test_bad_input.py checks for every file too)
REFUSALS = {
    "panel_missing_region.csv": "missing the region column",
    "panel_missing_period.csv": "missing the period column",
    "panel_duplicate_indicator_column.csv": "'地区生产总值' appears twice (columns 3 and 5)",
    "panel_header_without_unit.csv": "the header '地区生产总值' has no unit",
    "panel_unknown_unit.csv": "unknown unit '亿'",
    "panel_unit_contradicts_catalogue.csv": "given in 万元 but the catalogue keeps it in 亿元",
    "panel_indicator_typo.csv": "did you mean '地区生产总值'",
    "panel_duplicate_region_period.csv": "'北京市' and period 2023 appear twice (rows 3 and 5)",
    "panel_duplicate_code_and_name.csv": "duplicate observation gdp/110000/2023 (also row 4)",
    "panel_value_text.csv": "'约2.5万' is not a number",
    "panel_period_unknown.csv": "unknown period format '2023年度'",
    "panel_region_short_name.csv": "did you mean '内蒙古自治区'",
    "panel_empty_region.csv": "the region is empty",
    "panel_nbs_time_range_without_period_column.csv": "names '最近20年', not one period",
}


def _corpus_position(name: str) -> tuple[int, str]:
    """The row and column the corpus table gives for ``name``."""
    for line in (BAD / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith(f"| `{name}` |"):
            *_, row, column, _ = line.split("|")
            return int(row), column.strip()
    raise AssertionError(f"{name} is not in the corpus table")


@pytest.mark.parametrize(("name", "words"), REFUSALS.items())
def test_refusals_name_row_and_column(writable: Store, name: str, words: str) -> None:
    row, column = _corpus_position(name)
    before = writable.latest_vintage()
    with pytest.raises(InputError) as err:
        ingest_file(writable, BAD / name)
    assert (err.value.file, err.value.row, err.value.column) == (name, row, column)
    assert words in str(err.value) and err.value.hint
    assert writable.latest_vintage() == before


@pytest.mark.parametrize(
    "name",
    [
        "panel_duplicate_code_and_name.csv",
        "panel_unit_contradicts_catalogue.csv",
        "panel_indicator_typo.csv",
    ],
)
def test_refusals_found_by_the_loader_on_both_backends(any_writable: Store, name: str) -> None:
    """The refusals only the catalogue can decide (a code and a name of one region, a unit, a
    typo) name the same row and column on PostgreSQL, and store nothing."""
    row, column = _corpus_position(name)
    before = any_writable.latest_vintage()
    with pytest.raises(InputError) as err:
        ingest_file(any_writable, BAD / name)
    assert (err.value.row, err.value.column) == (row, column)
    assert REFUSALS[name] in str(err.value)
    assert any_writable.latest_vintage() == before


def test_corpus_positions() -> None:
    """The panel lines of the corpus table, as the reader reports them."""
    assert {n: _corpus_position(n) for n in REFUSALS} == {
        "panel_missing_region.csv": (1, "region"),
        "panel_missing_period.csv": (1, "period"),
        "panel_duplicate_indicator_column.csv": (1, "地区生产总值（亿元）"),
        "panel_header_without_unit.csv": (1, "地区生产总值"),
        "panel_unknown_unit.csv": (1, "地区生产总值(亿)"),
        "panel_unit_contradicts_catalogue.csv": (1, "地区生产总值(万元)"),
        "panel_indicator_typo.csv": (1, "地区生产总値(亿元)"),
        "panel_duplicate_region_period.csv": (3, "年份"),
        "panel_duplicate_code_and_name.csv": (3, "period"),
        "panel_value_text.csv": (3, "地区生产总值(亿元)"),
        "panel_period_unknown.csv": (3, "年份"),
        "panel_region_short_name.csv": (3, "地区"),
        "panel_empty_region.csv": (3, "地区"),
        "panel_nbs_time_range_without_period_column.csv": (2, "时间"),
    }


def test_xlsx_refusal_names_the_cell(writable: Store, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    for r in (
        ["地区", "年份", "地区生产总值(亿元)"],
        ["北京市", 2023, 47353.7],
        ["内蒙古", 2023, "约"],
    ):
        wb.active.append(r)
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(InputError) as err:
        ingest_file(writable, tmp_path / "bad.xlsx")
    assert (err.value.row, err.value.column) == (3, "地区生产总值(亿元)")
    assert "'约' is not a number" in err.value.problem


def test_the_reader_can_be_named(tmp_path: Path) -> None:
    """``--reader panel`` on a table of periods as rows: a panel without regions, refused."""
    path = tmp_path / "national.csv"
    path.write_text("时间,出口总值当期值(千美元)\n2020-01,1\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read(path, "panel")
    assert (err.value.row, err.value.column) == (1, "region")
    assert "add a column 地区" in err.value.hint
