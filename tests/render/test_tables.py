"""statlib.tables: the spec, its cells and symbols, and every rendering (HTML, pandoc, XLSX, CSV).

HTML is compared with snapshots in tests/snapshots/tables/; ``UPDATE_SNAPSHOTS=1`` rewrites them.
"""

from __future__ import annotations

import copy
import json
import os
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pypandoc
import pytest
from openpyxl import Workbook, load_workbook

from statlib import tables
from statlib.errors import ConfigError
from statlib.tables import SUPPRESSED, Table, col, group

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots" / "tables"
SECRET = 98765.4321  # a confidential figure: must appear in no rendering, in no byte
IND = "\u3000"  # one indentation level


def bulletin() -> Table:
    """附表 主要经济指标 of the November bulletin."""
    sub = (col("绝对量"), col("同比增长(%)", 1), col("位次", 0))
    return (
        Table("主要经济指标")
        .columns(group("11月份", *sub), group("1—11月", *sub))
        .row("规模以上工业增加值", [None, 7.25, 4, None, 6.95, 3])
        .row("社会消费品零售总额", [45.675, -5.44, 6, 512.345, 2.05, 5], unit="亿元", decimals=2)
        .row("商品零售", [40.1, -4.95, 7, 450, 2.3, 5], unit="亿元", level=1, sub_item=True)
        .row("固定资产投资", [None, None, None, 321.45, -10.04, 12], unit="亿元", footnote="*")
        .footnote("* 不含农户。")
        .footnote("部分数据因四舍五入的原因，存在总计与分项合计不等的情况。")
        .source("市统计局")
    )


def yearbook() -> Table:
    """表2-7 of the yearbook: bilingual, with …, blank, #, ①, | and a suppressed cell."""
    return (
        Table(
            "生产总值",
            number="2-7",
            title_en="Gross Domestic Product",
            unit="亿元",
            unit_en="100 million yuan",
        )
        .columns("2020年", "2021年", "2022年")
        .row("地区生产总值", [1530.26, 1689.94, 1802.0])
        .row("第一产业", [0.04, None, 12.345], level=1)
        .row("工业", [610.5, SUPPRESSED, 655.55], level=2, sub_item=True, footnote="①")
        .row("新口径合计", [1602.1, 1750.0, -3.25], break_=True)
        .footnote("① 2021年工业数据涉及单个企业，不予公布。")
        .source("《统计年鉴》")
    )


# ---- cells and words -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "cells"),
    [
        (0, ["规模以上工业增加值", "", "", "7.3", "4", "", "7.0", "3"]),
        (1, ["社会消费品零售总额", "亿元", "45.68", "-5.4", "6", "512.35", "2.1", "5"]),
        (2, [IND + "#商品零售", "亿元", "40.1", "-5.0", "7", "450.0", "2.3", "5"]),
        (3, ["固定资产投资*", "亿元", "", "", "", "321.5", "-10.0", "12"]),
    ],
)
def test_bulletin_cells(row: int, cells: list[str]) -> None:
    assert bulletin().to_frame().iloc[row].tolist() == cells


@pytest.mark.parametrize(
    ("row", "cells"),
    [
        (0, ["地区生产总值", "1530.3", "1689.9", "1802.0"]),
        (1, [IND + "第一产业", "…", "", "12.3"]),
        (2, [IND * 2 + "#工业①", "610.5", "…", "655.6"]),
        (3, ["新口径合计 |", "1602.1", "1750.0", "-3.3"]),
    ],
)
def test_yearbook_cells(row: int, cells: list[str]) -> None:
    assert yearbook().to_frame().iloc[row].tolist() == cells


@pytest.mark.parametrize(
    ("table", "options", "values", "decimals", "expected"),
    [
        ("below unit", {}, [0.04, -0.04, 0.05, 0, 0.0], 1, ["…", "…", "0.1", "0.0", "0.0"]),
        ("below unit off", {"below_unit_symbol": None}, [0.04, -0.04], 1, ["0.0", "0.0"]),
        ("half-up", {}, [2.25, -0.05, 0.1 + 0.2, 1.005], 2, ["2.25", "-0.05", "0.30", "1.01"]),
        ("half-up 1", {}, [2.25, -2.25, 6, 1e-9], 1, ["2.3", "-2.3", "6.0", "…"]),
        ("missing", {}, [None, float("nan"), pd.NA], 1, ["", "", ""]),
        ("suppressed", {"suppressed_symbol": "*"}, [SUPPRESSED], 1, ["*"]),
        (
            "thousands",
            {"thousands": True},
            [42505.123, -1234567.0],
            1,
            ["42,505.1", "-1,234,567.0"],
        ),
        ("integers", {}, [3, 12], 0, ["3", "12"]),
        ("text", {}, ["—"], 1, ["—"]),
    ],
)
def test_cell_formatting(
    table: str, options: dict[str, Any], values: list[Any], decimals: int, expected: list[str]
) -> None:
    t = Table(table).options(**options).columns(*[f"c{i}" for i in range(len(values))])
    t = t.row("x", values, decimals=decimals)
    assert t.to_frame().iloc[0].tolist()[1:] == expected


def test_captions_and_notes() -> None:
    y = yearbook().to_html()
    assert "表2-7 生产总值(亿元)" in y
    assert "Gross Domestic Product (100 million yuan)" in y
    assert "注：① 2021年工业数据涉及单个企业，不予公布。" in y
    assert "数据来源：《统计年鉴》" in y
    b = bulletin().to_html()
    assert "注：* 不含农户。" in b  # a marked note is not numbered
    assert "部分数据因四舍五入的原因，存在总计与分项合计不等的情况。" in b
    two = Table("t").columns("a").row("x", [1]).footnote("甲").footnote("乙").to_html()
    assert "注：1. 甲" in two and ">2. 乙<" in two


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: Table("t", number="2—7"), ["number", "2-7"]),
        (lambda: Table("t", number="表2-7"), ["number"]),
        (lambda: Table(""), ["title"]),
        (lambda: Table("t", unit_en="yuan"), ["unit_en", "unit"]),
        (lambda: Table("t").columns("a", "b").row("x", [1]), ["1 values", "2", "columns"]),
        (lambda: Table("t").row("x", [1, 2]).columns("a"), ["2 values"]),
        (lambda: Table("t").row("x", [1], decimals=13), ["decimals", "0 to 12"]),
        (lambda: Table("t").row("x", [1], decimals=[1, 2]), ["decimals", "one per value"]),
        (lambda: Table("t").row("x", [1], level=-1), ["level"]),
        (lambda: Table("t").row("x", [float("inf")]), ["row 'x' value 1", "finite"]),
        (lambda: Table("t").row("x", [True]), ["row 'x' value 1"]),
        (lambda: Table("t").row("x", [1], footnote=""), ["footnote"]),
        (lambda: Table("t").columns(), ["columns"]),
        (lambda: Table("t").columns(3), ["columns"]),
        (lambda: Table("t").options(colour="red"), ["colour"]),
        (lambda: tables.group("当月"), ["当月", "sub-column"]),
        (lambda: Table("t").rows_from(pd.DataFrame({"a": [1]}), unit="单位"), ["unit", "单位"]),
    ],
)
def test_config_errors_name_the_parameter(make: Any, words: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        make()
    for word in words:
        assert word in str(info.value)


def test_builders_never_mutate() -> None:
    base = bulletin()
    before = copy.deepcopy(base)
    frame = pd.DataFrame({"a": [1.0], "b": [2.0], "c": [3], "d": [4.0], "e": [5.0], "f": [6]})
    changed = [
        base.row("新行", [1, 2, 3, 4, 5, 6]),
        base.rows_from(frame.set_axis(["行"])),
        base.footnote("注"),
        base.source("来源"),
        base.columns(*"abcdef"),
        base.options(suppressed_symbol="*"),
    ]
    assert base == before
    assert all(t != base for t in changed)
    with pytest.raises(AttributeError):
        base.title = "x"  # type: ignore[misc]


def test_rows_from_frame_matches_builder() -> None:
    columns = pd.MultiIndex.from_tuples(
        [(g, s) for g in ("11月份", "1—11月") for s in ("绝对量", "同比增长(%)", "位次")]
    )
    frame = pd.DataFrame(
        [[45.675, -5.44, 6, 512.345, 2.05, 5]], index=["社会消费品零售总额"], columns=columns
    )
    frame[("单位", "")] = "亿元"
    t = Table("主要经济指标").rows_from(frame, unit=("单位", ""), decimals=2)
    assert [type(h).__name__ for h in t.header] == ["ColumnGroup", "ColumnGroup"]
    assert t.to_frame().iloc[0].tolist() == [
        "社会消费品零售总额",
        "亿元",
        "45.68",
        "-5.44",
        "6.00",
        "512.35",
        "2.05",
        "5.00",
    ]
    sub = (col("绝对量"), col("同比增长(%)", 1), col("位次", 0))
    spec = Table("主要经济指标").columns(group("11月份", *sub), group("1—11月", *sub))
    assert (
        spec.rows_from(frame, unit=("单位", ""), decimals=2)
        .to_frame()
        .equals(bulletin().to_frame().iloc[[1]].reset_index(drop=True))
    )


def test_rows_from_metadata_columns() -> None:
    frame = pd.DataFrame(
        {
            "指标": ["社会消费品零售总额", "商品零售", "餐饮收入"],
            "单位": ["亿元", None, float("nan")],
            "级": [0, 1, 1],
            "其中": [False, True, True],
            "注": [None, "①", None],
            "位": [2, 1, None],
            "1—11月": [512.345, 450.0, 62.345],
        }
    )
    t = Table("t").rows_from(
        frame, label="指标", unit="单位", level="级", sub_item="其中", footnote="注", decimals="位"
    )
    assert [c.name for c in t.leaf_columns] == ["1—11月"]
    assert t.to_frame().values.tolist() == [
        ["社会消费品零售总额", "亿元", "512.35"],
        [IND + "#商品零售①", "", "450.0"],
        [IND + "#餐饮收入", "", "62.3"],
    ]


# ---- HTML ----------------------------------------------------------------------------------


def _snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}; run with UPDATE_SNAPSHOTS=1 and review it"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["bulletin", "yearbook"])
def test_html_snapshot(name: str) -> None:
    _snapshot(f"{name}.html", {"bulletin": bulletin, "yearbook": yearbook}[name]().to_html())


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.update(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text += data


HOSTILE = ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "A&B", "=1+2"]


def test_html_escapes_everything_from_data() -> None:
    t = Table(HOSTILE[0], title_en=HOSTILE[1], unit="&").columns(HOSTILE[1], group("&", "<b>"))
    for label in HOSTILE:
        t = t.row(label, [1.0, "<i>x</i>"], unit=HOSTILE[0], footnote="<u>")
    t = t.footnote(HOSTILE[1]).source(HOSTILE[0])
    out = t.to_html()
    parser = _Tags()
    parser.feed(out)
    assert parser.tags <= {
        "table",
        "caption",
        "span",
        "br",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
    }
    assert parser.attrs <= {"class", "colspan", "rowspan", "scope"}
    assert "<script" not in out and "<img" not in out and "<i>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "A&amp;B" in out
    for label in HOSTILE:
        assert label in parser.text  # shown as the very text, not lost
    assert '<td class="num">1.0</td>' in out  # right-aligned by class, no inline style
    assert "style=" not in out and "on" not in " ".join(parser.attrs)


def test_repr_html_for_notebooks() -> None:
    html = yearbook()._repr_html_()
    assert html.startswith("<style>") and "td.num" in html and "<script" not in html
    assert yearbook().to_html() in html


# ---- pandoc: a real table in HTML, Typst and DOCX ------------------------------------------


def _text(inlines: list[dict[str, Any]]) -> str:
    out = ""
    for node in inlines:
        if node["t"] == "Str":
            out += node["c"]
        elif node["t"] in ("Space", "SoftBreak"):
            out += " "
        else:
            raise AssertionError(f"unexpected inline {node['t']}: markup leaked from data")
    return out


def _cell(cell: list[Any]) -> tuple[str, int, int]:
    _attr, _align, rowspan, colspan, blocks = cell
    return ("".join(_text(b["c"]) for b in blocks), rowspan, colspan)


def _table_node(text: str, fmt: str) -> dict[str, Any]:
    ast = json.loads(pypandoc.convert_text(text, "json", format=fmt))
    found = [b for b in ast["blocks"] if b["t"] == "Table"]
    assert len(found) == 1, [b["t"] for b in ast["blocks"]]
    return found[0]


def _header_and_body(node: dict[str, Any]) -> tuple[list[list[Any]], list[list[str]]]:
    _attr, _caption, _specs, head, bodies, _foot = node["c"]
    header = [[_cell(c) for c in row[1]] for row in head[1]]
    body = [[_cell(c)[0] for c in row[1]] for b in bodies for row in b[3]]
    return header, body


BULLETIN_HEADER = [
    [("指标", 2, 1), ("单位", 2, 1), ("11月份", 1, 3), ("1—11月", 1, 3)],
    [(s, 1, 1) for s in ("绝对量", "同比增长(%)", "位次") * 2],
]


@pytest.mark.parametrize(("fmt", "render"), [("markdown", "to_pandoc"), ("html", "to_html")])
def test_pandoc_reads_a_real_table(fmt: str, render: str) -> None:
    t = bulletin()
    header, body = _header_and_body(_table_node(getattr(t, render)(), fmt))
    assert header == BULLETIN_HEADER
    expected = [[c.strip(IND) for c in row] for row in t.to_frame().values.tolist()]
    assert [[c.strip(IND) for c in row] for row in body] == expected


@pytest.mark.parametrize(
    ("table", "header", "body"),
    [
        (Table("t").columns("a"), [[("指标", 1, 1), ("a", 1, 1)]], [["", ""]]),
        (
            Table("t")
            .columns(group("规模以上工业企业主要指标（1—11月）", "a", "b"))
            .row("x", [1, 2]),
            [
                [("指标", 2, 1), ("规模以上工业企业主要指标（1—11月）", 1, 2)],
                [("a", 1, 1), ("b", 1, 1)],
            ],
            [["x", "1.0", "2.0"]],
        ),
        (Table("t").row("x", [1]), [[("指标", 1, 1), ("1", 1, 1)]], [["x", "1.0"]]),
    ],
)
def test_pandoc_edge_layouts(table: Table, header: list[Any], body: list[list[str]]) -> None:
    assert _header_and_body(_table_node(table.to_pandoc(), "markdown")) == (header, body)


def test_pandoc_markdown_keeps_data_as_text() -> None:
    labels = ["*粗* _斜_ [链](http://x) $x$ <b>b</b>", "1. 列表", "- 项", "a | b \\ c", "#标题"]
    t = Table("t").columns(group("当月", "绝对量")).row(labels[0], [1])
    for label in labels[1:]:
        t = t.row(label, [None])
    _, body = _header_and_body(_table_node(t.to_pandoc(), "markdown"))
    assert [row[0] for row in body] == labels


def test_pandoc_caption_and_notes() -> None:
    ast = json.loads(pypandoc.convert_text(yearbook().to_pandoc(), "json", format="markdown"))
    table = next(b for b in ast["blocks"] if b["t"] == "Table")
    caption = json.dumps(table["c"][1], ensure_ascii=False)
    assert "表2-7" in caption and "Gross" in caption and "LineBreak" in caption
    paras = [_text(b["c"]) for b in ast["blocks"] if b["t"] == "Para"]
    assert paras == ["注：① 2021年工业数据涉及单个企业，不予公布。", "数据来源：《统计年鉴》"]


def test_typst_gets_a_table_with_the_numbers() -> None:
    typst = pypandoc.convert_text(bulletin().to_pandoc(), "typst", format="markdown")
    assert "table(" in typst and "table.cell(colspan: 3)[11月份]" in typst
    numbers = re.findall(r"\[(-?\d+(?:\.\d+)?)\]", typst)
    flat = [c for row in bulletin().to_frame().values.tolist() for c in row[2:] if c]
    assert numbers == flat


def test_typst_compiles_to_pdf(tmp_path: Path) -> None:
    typst = pytest.importorskip("typst")
    source = tmp_path / "t.typ"
    source.write_text(
        pypandoc.convert_text(
            yearbook().to_pandoc(), "typst", format="markdown", extra_args=["-s"]
        ),
        encoding="utf-8",
    )
    assert typst.compile(str(source), format="pdf")[:5] == b"%PDF-"


def test_docx_gets_a_real_table(tmp_path: Path) -> None:
    out = tmp_path / "t.docx"
    pypandoc.convert_text(yearbook().to_pandoc(), "docx", format="markdown", outputfile=str(out))
    xml = zipfile.ZipFile(out).read("word/document.xml").decode()
    assert "<w:tbl>" in xml
    for number in ("1530.3", "655.6", "-3.3"):
        assert f">{number}<" in xml
    docx_b = tmp_path / "b.docx"
    pypandoc.convert_text(bulletin().to_pandoc(), "docx", format="markdown", outputfile=str(docx_b))
    assert 'w:gridSpan w:val="3"' in zipfile.ZipFile(docx_b).read("word/document.xml").decode()


def test_notebook_output_becomes_a_table(tmp_path: Path) -> None:
    """The document engine's path: pandoc reads an executed notebook; its ipynb reader keeps a
    text/markdown output as a raw block, which a Lua filter re-reads (one line)."""
    t = bulletin()
    data = {
        "text/html": t._repr_html_(),
        "text/markdown": t._repr_markdown_(),
        "text/plain": repr(t),
    }
    out = {"output_type": "execute_result", "execution_count": 1, "metadata": {}, "data": data}
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "metadata": {},
        "source": "t",
        "outputs": [out],
    }
    nb = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    lua = tmp_path / "tables.lua"
    lua.write_text(
        'function RawBlock(el)\n  if el.format == "markdown" then\n'
        '    return pandoc.read(el.text, "markdown").blocks\n  end\nend\n',
        encoding="utf-8",
    )
    typst = pypandoc.convert_text(
        json.dumps(nb),
        "typst",
        format="ipynb",
        extra_args=["--ipynb-output=all", f"--lua-filter={lua}"],
    )
    assert "table.cell(colspan: 3)[11月份]" in typst and "[-5.4]" in typst


# ---- XLSX ----------------------------------------------------------------------------------


def test_xlsx_layout_and_formats(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    bulletin().to_xlsx(path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["封面", "目录", "说明", "主要经济指标"]
    ws = wb["主要经济指标"]
    assert [c.value for c in ws[1]] == [
        "指标",
        "单位",
        "11月份 绝对量",
        "11月份 同比增长(%)",
        "11月份 位次",
        "1—11月 绝对量",
        "1—11月 同比增长(%)",
        "1—11月 位次",
    ]
    assert not ws.merged_cells.ranges and next(iter(ws.tables.values())).ref == "A1:H5"
    assert ws.freeze_panes == "B2"
    row = [ws.cell(3, c) for c in range(1, 9)]  # 社会消费品零售总额
    assert [c.value for c in row] == ["社会消费品零售总额", "亿元", 45.68, -5.4, 6, 512.35, 2.1, 5]
    assert [c.number_format for c in row[2:]] == ["0.00", "0.0", "0", "0.00", "0.0", "0"]
    assert ws.cell(4, 1).value == "#商品零售" and ws.cell(4, 1).alignment.indent == 1
    assert ws.cell(2, 3).value is None  # not available: blank
    notes = [r[2].value for r in wb["说明"].iter_rows(min_row=2)]
    assert "注：* 不含农户。" in notes and "数据来源：市统计局" in notes


def test_xlsx_yearbook_unit_and_symbols(tmp_path: Path) -> None:
    path = tmp_path / "y.xlsx"
    yearbook().to_xlsx(path)
    wb = load_workbook(path)
    ws = wb["表2-7"]
    header = [c.value for c in ws[1]]
    assert header == ["指标", "2020年", "2020年_标志", "2021年", "2021年_标志", "2022年"]
    assert [ws.cell(3, c).value for c in range(2, 7)] == [None, "…", None, None, 12.3]
    assert [ws.cell(4, c).value for c in range(2, 7)] == [610.5, None, None, "…", 655.6]
    contents = [c.value for c in wb["目录"][2]]
    assert contents == [
        "表2-7",
        "表2-7 生产总值(亿元) Gross Domestic Product (100 million yuan)",
        "表2-7",
    ]
    assert wb["目录"].cell(2, 3).hyperlink.location == "'表2-7'!A1"
    assert ["表2-7", "单位", "亿元 (100 million yuan)"] in [
        [c.value for c in r] for r in wb["说明"].iter_rows(min_row=2)
    ]


def _xlsx_bytes(table: Table, tmp_path: Path, name: str) -> bytes:
    path = tmp_path / name
    table.to_xlsx(path)
    return path.read_bytes()


def test_xlsx_values_only_nothing_hidden(tmp_path: Path) -> None:
    t = Table("t").columns("a").row("=1+2", [1]).row("@SUM(A1)", [SUPPRESSED])
    data = _xlsx_bytes(t, tmp_path, "f.xlsx")
    path = tmp_path / "f.xlsx"
    wb = load_workbook(path)
    ws = wb["t"]
    assert ws["A2"].value == "=1+2" and ws["A2"].data_type == "s"
    assert all(s.sheet_state == "visible" for s in wb.worksheets)
    assert not any(d.hidden for d in ws.row_dimensions.values())
    assert not any(d.hidden for d in ws.column_dimensions.values())
    assert len(wb.defined_names) == 0
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    assert data


def test_xlsx_deterministic(tmp_path: Path) -> None:
    first = _xlsx_bytes(yearbook(), tmp_path, "a.xlsx")
    assert first == _xlsx_bytes(yearbook(), tmp_path, "b.xlsx")
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"2000-01-01T00:00:00Z" in z.read("docProps/core.xml")


def test_xlsx_into_a_workbook(tmp_path: Path) -> None:
    wb = Workbook()
    yearbook().to_xlsx(wb)
    bulletin().to_xlsx(wb, sheet="附表")
    assert wb.sheetnames == ["表2-7", "附表"]
    with pytest.raises(ConfigError, match="sheet"):
        yearbook().to_xlsx(wb)
    with pytest.raises(ConfigError, match="sheet"):
        yearbook().to_xlsx(wb, sheet="a/b")
    tables.save_xlsx(wb, tmp_path / "book.xlsx")
    assert load_workbook(tmp_path / "book.xlsx").sheetnames == ["表2-7", "附表"]


# ---- CSV and the suppressed figure ---------------------------------------------------------


def test_csv_text() -> None:
    assert bulletin().to_csv().splitlines() == [
        "指标,单位,11月份 绝对量,11月份 同比增长(%),11月份 位次,"
        "1—11月 绝对量,1—11月 同比增长(%),1—11月 位次",
        "规模以上工业增加值,,,7.3,4,,7.0,3",
        "社会消费品零售总额,亿元,45.68,-5.4,6,512.35,2.1,5",
        IND + "#商品零售,亿元,40.1,-5.0,7,450.0,2.3,5",
        "固定资产投资*,亿元,,,,321.5,-10.0,12",
    ]
    hostile = Table("t").columns("a").row("=cmd|' /C calc'!A0", [-1]).to_csv()
    assert hostile.splitlines()[1] == "'=cmd|' /C calc'!A0,-1.0"


def test_suppressed_figure_in_no_rendering(tmp_path: Path) -> None:
    """The disclosure layer hands over SUPPRESSED in place of the figure; no byte of any
    rendering carries it, in any spelling."""
    frame = pd.DataFrame({"2021年": [SECRET, 1.0]}, index=["工业", "建筑业"], dtype=object)
    frame.loc["工业", "2021年"] = SUPPRESSED
    t = Table("t", number="2-8").rows_from(frame)
    spellings = [b"98765", b"9876", "98765".encode("utf-16-le")]
    assert "9876" not in repr(t) + str(t.body)
    texts = [
        t.to_html(),
        t._repr_html_(),
        t.to_pandoc(),
        t.to_csv(),
        t.to_frame().to_string(),
        pypandoc.convert_text(t.to_pandoc(), "typst", format="markdown"),
    ]
    for text in texts:
        assert "9876" not in text and "…" in text
    t.to_xlsx(tmp_path / "s.xlsx")
    with zipfile.ZipFile(tmp_path / "s.xlsx") as z:
        for name in z.namelist():
            raw = z.read(name)
            assert not any(s in raw for s in spellings), name
        assert "…".encode() in b"".join(z.read(n) for n in z.namelist())


def test_xlsx_bytes_do_not_depend_on_the_clock() -> None:
    """openpyxl stamps docProps/core.xml with the time of saving; save_xlsx pins it (R5)."""
    import io
    import time

    table = Table("x").columns("a").row("r", [1.0])
    first, second = io.BytesIO(), io.BytesIO()
    table.to_xlsx(first)
    time.sleep(1.1)
    table.to_xlsx(second)
    assert first.getvalue() == second.getvalue()
