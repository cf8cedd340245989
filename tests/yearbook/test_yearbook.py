"""The yearbook chapters as the book executes them (once per run), their structure, numbers and
XLSX export; other parameters (year, edition) executed with papermill."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import papermill as pm
import pytest

from statlib import measures, yearbook
from statlib.disclosure.cells import unit_cells
from statlib.errors import ConfigError
from statlib.render.frontmatter import parse_front_matter
from statlib.store import open_store
from statlib.tables import SUPPRESSED, Table
from statlib.yearbook.assembly import BookResult

FOLDER = Path(__file__).resolve().parents[2] / "notebooks" / "yearbook"
CHAPTERS = yearbook.book()
BY_NUMBER = {c.number: c for c in CHAPTERS}
TITLE = re.compile(r"^(\S+) ([A-Za-z].*)$")  # a caption: the title, then the English title


@pytest.fixture(scope="module")
def env(demo_db: Path) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STATLIB_DB", str(demo_db))
        yield


def _run(chapter: yearbook.Chapter, out: Path, **parameters: object) -> nbformat.NotebookNode:
    target = out / f"{Path(chapter.file).stem}_{'_'.join(map(str, parameters.values()))}.ipynb"
    pm.execute_notebook(
        str(FOLDER / chapter.file),
        str(target),
        parameters=parameters,
        progress_bar=False,
        kernel_name="python3",
        cwd=str(FOLDER),
    )
    return nbformat.read(target, as_version=4)


@pytest.fixture(scope="module")
def executed(yearbook_book: BookResult) -> dict[int, nbformat.NotebookNode]:
    """The chapters as the session's book executed them (tests/conftest.py)."""
    return {c.number: nbformat.read(yearbook_book.executed[c.file], as_version=4) for c in CHAPTERS}


def _outputs(nb: nbformat.NotebookNode) -> list[tuple[str, object]]:
    """("md", text) for Markdown outputs and ("table", spec) for shown tables, in order."""
    found: list[tuple[str, object]] = []
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            spec = output.get("metadata", {}).get(yearbook.METADATA_KEY)
            if spec is not None:
                found.append(("table", spec))
            elif "text/markdown" in output.get("data", {}):
                found.append(("md", output["data"]["text/markdown"]))
    return found


def _cell_options(cell: nbformat.NotebookNode) -> dict[str, str]:
    return dict(re.findall(r"^#\| ([\w-]+): (.*)$", cell.source, re.MULTILINE))


def _sheet(path: Path) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return b"".join(z.read(n) for n in sorted(z.namelist()) if n != "docProps/core.xml")


def _values(table: Table, label: str) -> list[Decimal | None]:
    row = next(r for r in table.body if r.label.startswith(label))
    return [v if isinstance(v, Decimal) else None for v in row.values]


# ---- the committed notebooks -----------------------------------------------------------------


def test_book_lists_every_chapter_in_order() -> None:
    assert len(CHAPTERS) >= 8
    titles = [c.title for c in CHAPTERS]
    required = "综合 国民经济核算 人口 工业 固定资产投资 国内贸易 旗县区资料 分省主要指标"
    assert set(required.split()) <= set(titles)
    assert sorted(p.name for p in FOLDER.glob("*.ipynb")) == sorted(c.file for c in CHAPTERS)
    for c in CHAPTERS:
        assert c.file.startswith(f"{c.number:02d}_") and c.title_en


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.file)
def test_notebook_as_committed(chapter: yearbook.Chapter) -> None:
    nb = nbformat.read(FOLDER / chapter.file, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    raw = nb.cells[0]
    assert raw.cell_type == "raw"
    front = parse_front_matter(raw.source, chapter.file)  # statlib: keys read as top-level
    assert front.title == chapter.title and front.extra["title_en"] == chapter.title_en
    assert front.series == "yearbook" and front.extra["chapter"] == chapter.number
    assert front.edition == "public" and front.formats == ("html", "pdf", "docx")
    params = nb.cells[1]
    assert "parameters" in params.metadata.get("tags", [])
    assert "year = 2023" in params.source and 'edition = "public"' in params.source
    assert "check_parameters(year, edition, store=store)" in nb.cells[2].source
    assert "statlib.open_store(edition=edition)" in nb.cells[2].source
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            assert "open(" not in cell.source and "SELECT" not in cell.source.upper()
            assert ".xlsx" not in cell.source and "Path(" not in cell.source


def yaml_front(text: str) -> dict:
    import yaml

    body = text.strip().split("---")
    return yaml.safe_load(body[1])


# ---- executed chapters -----------------------------------------------------------------------


@pytest.mark.parametrize("number", [c.number for c in CHAPTERS])
def test_chapter_structure(executed: dict[int, nbformat.NotebookNode], number: int) -> None:
    nb = executed[number]
    outputs = _outputs(nb)
    kinds = [k for k, _ in outputs]
    assert kinds[0] == "md" and str(outputs[0][1]).startswith("## 简要说明")
    assert kinds[-1] == "md" and str(outputs[-1][1]).startswith("## 主要统计指标解释")
    assert "table" not in kinds[:1] and set(kinds[1:-1]) == {"table"}
    assert "**" in str(outputs[-1][1])  # at least one defined indicator
    assert "“…”表示" in str(outputs[0][1])  # the symbols are explained

    tables = yearbook.chapter_tables(nb)
    assert len(tables) >= 2
    assert [t.number for t in tables] == [f"{number}-{i}" for i in range(1, len(tables) + 1)]
    for t in tables:
        assert t.title and t.title_en and re.search(r"[A-Za-z]", t.title_en)
        assert t.body, f"表{t.number} is empty"
    captions = [_cell_options(c)["tbl-cap"] for c in nb.cells if "tbl-cap" in _cell_options(c)]
    labels = [_cell_options(c)["label"] for c in nb.cells if "tbl-cap" in _cell_options(c)]
    assert len(captions) == len(tables) and all(lb.startswith("tbl-") for lb in labels)
    assert len(set(labels)) == len(labels)
    for caption, t in zip(captions, tables, strict=True):  # no number: the filter numbers
        match = TITLE.match(caption)  # 表N-1, 表N-2 … in document order, as t.number does
        assert match, caption
        assert match[1] == t.title


def test_multi_year_tables_run_to_the_data_year(executed: dict[int, nbformat.NotebookNode]) -> None:
    table = yearbook.chapter_tables(executed[2])[0]
    assert [r.label.split("①")[0].strip(" |") for r in table.body] == [
        str(y) for y in range(2013, 2024)
    ]
    revised = [r for r in table.body if r.break_]
    assert [r.label for r in revised] == ["2018"] and revised[0].footnote == "①"
    assert any(n.startswith("① 2018年") for n in table.notes)


def test_levels_agree_with_the_store(executed: dict[int, nbformat.NotebookNode]) -> None:
    store = open_store()
    table = yearbook.chapter_tables(executed[2])[0]
    gdp = store.series("gdp", "云川市", "2023Q4", "2023Q4").iloc[0]
    assert _values(table, "2023")[0] == measures.round_half_up(gdp, 2)
    growth = yearbook.chapter_tables(executed[2])[1]
    rate = store.series("gdp_growth", "云川市", "2023Q4", "2023Q4").iloc[0]
    assert _values(growth, "2023")[0] == measures.round_half_up(rate, 1)


@pytest.mark.parametrize(
    ("number", "seq", "columns"),
    [(3, 2, [0, 1, 2]), (5, 2, [0]), (6, 2, [0]), (7, 1, [0, 1, 2, 3, 4]), (7, 2, [1, 2, 3, 4])],
)
def test_counties_sum_to_the_city(
    executed: dict[int, nbformat.NotebookNode], number: int, seq: int, columns: list[int]
) -> None:
    table = yearbook.chapter_tables(executed[number])[seq - 1]
    city, counties = table.body[0], table.body[1:]
    assert city.label == "全市" and len(counties) == 9
    assert all(r.level == 1 for r in counties)
    for j in columns:
        parts = [r.values[j] for r in counties]
        assert all(isinstance(v, Decimal) for v in parts), (table.number, j)
        decimals = table.body[0].decimals
        places = decimals if isinstance(decimals, int) else decimals[j]
        tolerance = Decimal(len(parts)) * Decimal(10) ** -places / 2
        assert abs(sum(parts) - city.values[j]) <= tolerance, (table.number, j)


def test_public_county_table_hides_the_dominated_county_and_its_complement(
    executed: dict[int, nbformat.NotebookNode],
) -> None:
    """表7-2's 规上工业增加值: 黑河旗 is dominated by one enterprise (primary), 草甸旗 hidden
    with it (secondary) so that the city total gives neither back; the others print."""
    table = yearbook.chapter_tables(executed[7])[1]
    hidden = [r.label.strip("　") for r in table.body if not isinstance(r.values[0], Decimal)]
    assert hidden == ["黑河旗", "草甸旗"]


def test_provinces_rank_inner_mongolia(executed: dict[int, nbformat.NotebookNode]) -> None:
    store = open_store()
    codes = [p.code for p in store.peers("内蒙古自治区")]
    assert len(codes) == 31
    values = store.cross_section("gdp", codes, "2023")
    ordered = sorted(values.items(), key=lambda kv: -kv[1])
    expected = 1 + [code for code, _ in ordered].index("150000")
    table = yearbook.chapter_tables(executed[8])[0]
    row = next(r for r in table.body if r.label.startswith("内蒙古自治区"))
    assert row.values[1] == expected and row.footnote == "①"
    assert len([r for r in table.body if r.level == 1]) == 31
    ranks = sorted(int(r.values[1]) for r in table.body if r.level == 1)
    assert ranks == list(range(1, 32))
    brief = str(_outputs(executed[8])[0][1])
    assert f"居全国第{expected}位" in brief
    history = yearbook.chapter_tables(executed[8])[1]
    for r in history.body:
        year_values = store.cross_section("gdp", codes, r.label)
        assert r.values[2] == 1 + sorted(year_values, reverse=True).index(year_values["150000"])


def test_public_industry_tables_suppress_unsafe_cells(
    executed: dict[int, nbformat.NotebookNode], env: None, tmp_path: Path
) -> None:
    public = yearbook.chapter_tables(executed[4])
    internal = yearbook.chapter_tables(_run(BY_NUMBER[4], tmp_path, edition="internal"))
    cross_public, cross_internal = public[3], internal[3]
    hidden = [
        (i, j)
        for i, r in enumerate(cross_public.body)
        for j, v in enumerate(r.values)
        if v is SUPPRESSED
    ]
    assert hidden, "the demo data has small cells: some must be suppressed"
    for i, j in hidden:
        assert isinstance(cross_internal.body[i].values[j], Decimal)
    assert not any(v is SUPPRESSED for t in internal for r in t.body for v in r.values)
    # recompute one suppressed cell's rule from the unit records
    store = open_store()
    units = store.units(2023)
    units = units[(units["category"] == "industry") & units["above_scale"]]
    names = {c.name: c.code for c in store.children("云川市")}
    from statlib.disclosure import configured_rules

    rules = configured_rules()

    def cell_of(i: int, j: int) -> pd.Series:
        code = cross_public.body[i].label.split()[0]
        county = names[cross_public.leaf_columns[j].name]
        return units[(units["industry_code"] == code) & (units["region"] == county)]["revenue"]

    # hidden cells are primary (a rule fails) or secondary (hidden to protect a primary one)
    primary = [(i, j) for i, j in hidden if rules.reasons(cell_of(i, j).tolist())]
    assert primary, "at least one hidden cell fails a disclosure rule itself"
    cell = cell_of(*primary[0])
    spec = json.dumps([yearbook.to_spec(t) for t in public], ensure_ascii=False)
    assert "suppressed" in spec
    assert str(measures.round_half_up(cell.sum() / 10000, 2)) not in spec


def test_export_xlsx_one_workbook_per_table(
    executed: dict[int, nbformat.NotebookNode], tmp_path: Path
) -> None:
    tables = [t for n in sorted(executed) for t in yearbook.chapter_tables(executed[n])]
    paths = yearbook.export_xlsx(tables, tmp_path / "a")
    assert len(paths) == len(tables) == len({p.name for p in paths})
    assert paths[0].name == "01-01.xlsx"
    for path, table in zip(paths, tables, strict=True):
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == ["封面", "目录", "说明", f"表{table.number}"]
        ws = wb[f"表{table.number}"]
        assert ws["A1"].value == table.stub and not ws.merged_cells.ranges
        assert str(wb["目录"]["B2"].value).startswith(f"表{table.number} {table.title}")
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (path.name, cell.coordinate)
    again = yearbook.export_xlsx(tables, tmp_path / "b")
    # the sheets are byte-identical; docProps/core.xml is not compared, as openpyxl 3.1 stamps
    # "modified" with the clock at save (a statlib.tables issue, reported)
    assert [_sheet(p) for p in paths] == [_sheet(p) for p in again]
    with pytest.raises(ConfigError, match="numbered"):
        yearbook.export_xlsx([tables[0], tables[0]], tmp_path / "c")


@pytest.mark.slow  # every chapter executed again for 2022
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.file)
def test_chapter_runs_for_the_previous_year(
    chapter: yearbook.Chapter, env: None, tmp_path: Path
) -> None:
    nb = _run(chapter, tmp_path, year=2022)
    tables = yearbook.chapter_tables(nb)
    assert tables and str(_outputs(nb)[0][1]).startswith("## 简要说明")
    text = json.dumps([yearbook.to_spec(t) for t in tables], ensure_ascii=False)
    assert "2023年" not in text  # nothing of the year after the data year


def test_bad_parameters_name_the_parameter(env: None, tmp_path: Path) -> None:
    with pytest.raises(pm.PapermillExecutionError, match="parameter year"):
        _run(BY_NUMBER[2], tmp_path, year=2031)
    with pytest.raises(ConfigError, match="parameter edition"):
        yearbook.check_parameters(2023, "masked")
    with pytest.raises(ConfigError, match="parameter year"):
        yearbook.check_parameters("2023", "public")


# ---- helpers ---------------------------------------------------------------------------------


def test_spec_round_trip_keeps_symbols_and_rounds_as_published() -> None:
    table = (
        Table("测试表", number="9-1", title_en="Test", unit="亿元", unit_en="100 million yuan")
        .columns("甲", "乙")
        .row("合计", [1234.5678, SUPPRESSED], decimals=2, footnote="①", break_=True)
        .row("其中", [0.001, None], decimals=2, sub_item=True, level=1)
        .footnote("① 注")
        .source("来源")
    )
    spec = yearbook.to_spec(table)
    assert spec["body"][0]["values"] == [{"number": "1234.57"}, {"suppressed": True}]
    back = yearbook.from_spec(json.loads(json.dumps(spec)))
    assert back.to_csv() == table.to_csv() and back.notes == table.notes
    assert back.to_frame().iloc[1, 1] == "…"  # below the smallest unit shown stays "…"


def test_unit_cells_suppress_by_the_rules() -> None:
    units = pd.DataFrame(
        {
            "g": ["a", "a", "a", "b", "b", "c", "c", "c"],
            "v": [10.0, 10.0, 10.0, 5.0, 5.0, 90.0, 5.0, 5.0],
        }
    )
    public = unit_cells(units, "g", ["v"])
    assert public.loc["a", "v"] == 30.0
    assert public.loc["b", "v"] is SUPPRESSED and public.loc["c", "v"] is SUPPRESSED
    assert public["单位数"].tolist() == [3, 2, 3]
    internal = unit_cells(units, "g", ["v"], "internal")
    assert internal["v"].tolist() == [30.0, 10.0, 100.0]


def test_annual_marks_confidential_cells(env: None) -> None:
    store = open_store()
    public = yearbook.annual(store, "ind_va", "黑河旗", 2019, 2021)
    internal = yearbook.annual(store, "ind_va", "黑河旗", 2019, 2021, "internal")
    assert all(v is SUPPRESSED for v in public["ind_va"])
    assert all(isinstance(v, float) for v in internal["ind_va"])
