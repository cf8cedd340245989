"""statlib.report: the words of a publication notebook, and notebooks use only the public API.

The figures are those of ``tests/fixtures/describe`` (``small_store``, tests/core/conftest.py):
ind_va_cum_growth 2022-11 is 8.0 (甲市), 7.5 (丙市), 7.3 (丁盟), 7.2 (云川市) — 云川市 4th; in
2022-09 it is 8.0, 7.24 → 7.2 (云川市), 7.15 → 7.2 (丁盟), 6.0 — 云川市 2nd; its counties in
2022-11: 北山旗 5.0, 川东区 −3.0.
"""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import statlib
from statlib import ConfigError, EditionError, report
from statlib.store.store import Store

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CITY, EAST, NORTH = "990200", "990201", "990202"


@pytest.mark.parametrize(
    ("got", "want"),
    [
        (report.paragraph("1—11月，", "", None, "全市…。"), "1—11月，全市…。"),
        (report.paragraph(), ""),
        (report.section(1, "工业生产"), "## 一、工业生产"),
        (report.section(10, "建议"), "## 十、建议"),
        # the base word goes on the first clause, whichever way it goes (issue 14)
        (
            report.growth_list([("第一产业增加值118.52亿元，", -1.2), ("第二产业增加值", 6.0)]),
            "第一产业增加值118.52亿元，同比下降1.2%，第二产业增加值增长6.0%",
        ),
        (
            report.growth_list([("甲", 3.0), ("乙", -2.0)], base="比上年", sep="；"),
            "甲比上年增长3.0%；乙下降2.0%",
        ),
        (report.growth_list([("CPI", 135.2)], kind="price"), "CPI同比上涨135.2%"),
        # counts: 均 when every one, nothing (never 0项) when none, N项 otherwise
        (
            report.tally(4, [(4, 0, "增速比1—10月加快", "增速比1—10月回落")]),
            "4项主要指标增速均比1—10月加快。",
        ),
        (
            report.tally(4, [(0, 4, "增速高于全市", "增速低于全市")]),
            "4项主要指标增速均低于全市。",
        ),
        (
            report.tally(
                4, [(4, 0, "增速比上年加快", "增速比上年回落"), (0, 4, "高于全区", "低于全区")]
            ),
            "4项主要指标增速均比上年加快，均低于全区。",
        ),
        (
            report.tally(
                4,
                [
                    (2, 1, "增速比1—10月加快", "增速比1—10月回落"),
                    (0, 3, "增速高于全市", "增速低于全市"),
                ],
            ),
            "4项主要指标中，2项增速比1—10月加快。",
        ),
        (
            report.tally(
                4,
                [
                    (1, 3, "增速比1—10月加快", "增速比1—10月回落"),
                    (0, 4, "增速高于全市", "增速低于全市"),
                ],
            ),
            "4项主要指标中，1项增速比1—10月加快，增速均低于全市。",
        ),
        (report.tally(3, [(0, 2, "增速高于全市", "增速低于全市")]), ""),
        (report.previous_label("2023-11", "2023-10"), "1—10月"),
        (report.previous_label("2023-02", "2022-12"), "上年全年"),
        (report.previous_label("2023Q1", "2022Q4"), "上年全年"),
        (report.previous_label("2023Q3", "2023Q2"), "上半年"),
        (report.verdict(5.2, 4.8, 5.0), "稳中向好"),
        (report.verdict(5.2, 4.8, 5.5), "稳中有进"),
        (report.verdict(5.2, 4.8, None), "稳中有进"),
        (report.verdict(4.2, 4.8, 6.0), "稳中承压"),
        (report.verdict(4.5, 4.8, 6.0), "总体平稳"),
        (report.verdict(5.0, None, 6.0), "总体平稳"),
        (report.verdict(0.0, -1.0, -2.0), "承压运行"),
        (report.pct(85.25), "85.3%"),
        (report.pct(7.0), "7.0%"),
        (report.interval(83.14, 87.55), "83.1%～87.6%"),
        (report.interval(3.0, 4.25, "分"), "3.0分～4.3分"),
        (report.points(85.26, 83.94), 1.4),
        (report.points(80.04, 80.05), -0.1),
    ],
)
def test_pure_words(got: object, want: object) -> None:
    assert got == want


def test_section_numbers_end_at_ten() -> None:
    with pytest.raises(ConfigError, match="sections 1 to 10, not 11"):
        report.section(11, "附录")


@pytest.mark.parametrize(
    ("indicator", "regions", "period", "n", "sentence"),
    [
        (
            "ind_va_cum_growth",
            [EAST, NORTH],
            "2022-11",
            3,
            "分旗县区看，规模以上工业增加值增速居前2位的是北山旗（增长5.0%）、川东区（下降3.0%）；"
            "2个旗县区中1个实现增长。",
        ),
        (
            "ind_va_cum_growth",
            [EAST, NORTH],
            "2022-11",
            1,
            "分旗县区看，规模以上工业增加值增速居前1位的是北山旗（增长5.0%）；2个旗县区中1个实现增长。",
        ),
        # the four 盟市 all grew; 7.24 shows as 7.2
        (
            "ind_va_cum_growth",
            ["990100", CITY, "990300", "990400"],
            "2022-09",
            2,
            "分旗县区看，规模以上工业增加值增速居前2位的是甲市（增长8.0%）、云川市（增长7.2%）；"
            "4个旗县区全部实现增长。",
        ),
        # one county only has a figure: no sentence
        ("ind_va_cum_growth", [EAST, NORTH], "2022-10", 3, ""),
    ],
)
def test_leaders(
    small_store: Store, indicator: str, regions: list[str], period: str, n: int, sentence: str
) -> None:
    assert report.leaders(small_store, indicator, regions, period, n=n) == sentence


@pytest.mark.parametrize(
    ("period", "before", "label", "sentence"),
    [
        ("2022-11", "2022-09", "1—9月", "排名较1—9月下降两位。"),
        ("2022-09", "2022-11", "1—11月", "排名较1—11月提升两位。"),
        ("2022-11", "2022-11", "上月", "排名与上月持平。"),
        ("2022-11", "2022-10", "1—10月", ""),  # only 云川市 has 2022-10: no rank
    ],
)
def test_rank_move(small_store: Store, period: str, before: str, label: str, sentence: str) -> None:
    assert (
        report.rank_move(small_store, "ind_va_cum_growth", CITY, period, before, label) == sentence
    )


def test_document_figures_and_sentences(small_store: Store) -> None:
    doc = report.Document(small_store, period="2022-11", region="云川市", edition="internal")
    assert (str(doc.period), doc.region.code) == ("2022-11", CITY)
    assert doc.value("ind_va_cum_growth") == 7.2
    assert doc.value("ind_va_cum_growth", when="2022-09") == 7.24
    assert doc.rounded("ind_va_cum_growth", when="2022-09") == 7.2
    assert doc.value("ind_va_cum_growth", "990000") == 6.0
    assert doc.value("gdp") is None
    assert (doc.rank("ind_va_cum_growth"), doc.rank("ind_va_cum_growth", when="2022-09")) == (4, 2)
    patch = {"comparable": True}  # the price basis comes from the catalogue, not a keyword
    with pytest.raises(TypeError, match="comparable"):
        doc.describe("ind_va_cum_growth", **patch)
    assert not hasattr(report, "comparable")
    assert doc.describe("ind_va_cum_growth") == (
        "1—11月，全市规模以上工业增加值按可比价格计算，同比增长7.2%，增速比1—10月加快0.3个百分点，"
        "居全区第4位，高于全区1.2个百分点。"
    )
    assert doc.describe("ind_va_cum_growth", EAST, parts=("growth",)) == (
        "1—11月，全区规模以上工业增加值按可比价格计算，同比下降3.0%。"
    )
    assert doc.rank_move("ind_va_cum_growth", "2022-09") == "排名较1—9月下降两位。"
    assert doc.rank_move("ind_va_cum_growth") == ""  # 1—10月 has no peer figures
    assert doc.leaders("ind_va_cum_growth", n=1) == (
        "分旗县区看，规模以上工业增加值增速居前1位的是北山旗（增长5.0%）；2个旗县区中1个实现增长。"
    )


def test_document_writes_markdown(small_store: Store) -> None:
    InteractiveShell.instance()  # display() publishes to the shell, as in a kernel
    doc = report.Document(small_store, period="2022-11", region=CITY, edition="internal")
    with capture_output() as shown:
        doc.say("# 云川市", "", "2022年1—11月经济运行情况")
        doc.heading("工业生产")
        doc.heading("固定资产投资")
        doc.say(
            doc.describe("ind_va_cum_growth", parts=("growth",)), doc.rank_move("ind_va_cum_growth")
        )
    assert [o.data["text/markdown"] for o in shown.outputs] == [
        "# 云川市2022年1—11月经济运行情况",
        "## 一、工业生产",
        "## 二、固定资产投资",
        "1—11月，全市规模以上工业增加值按可比价格计算，同比增长7.2%。",
    ]


def test_document_attached_table_and_notes(small_store: Store) -> None:
    InteractiveShell.instance()
    doc = report.Document(small_store, period="2022-11", region=CITY, edition="internal")
    lines = [report.Line("ind_va_cum_growth"), report.Line("fai"), report.Line("deposits")]
    frame = doc.table(lines, source="云川市统计局").to_frame()
    assert frame.values.tolist() == [
        ["规模以上工业增加值", "%", "", "", "", "7.2", "4"],  # growth only, 4th of the 盟市
        ["固定资产投资", "亿元", "", "", "", "", ""],  # no 2022-11 figure
        ["金融机构存款余额（11月末）", "亿元", "", "", "3954.64", "8.8", ""],
    ]
    with capture_output() as shown:
        doc.notes(["ind_va_cum_growth", "fai_growth"], remarks=["位次为全区4个盟市的排序。"])
    assert shown.outputs[0].data["text/markdown"] == (
        "**附注**\n\n1. 指标解释\n\n"
        "   - 规模以上工业增加值：工业增加值。\n   - 固定资产投资：投资。\n\n"
        "2. 统计范围\n\n\n3. 数据来源\n\n\n4. 说明\n\n"
        "   - 规模以上工业增加值增速按可比价格计算，其余指标增速按现价计算。\n"
        "   - 位次为全区4个盟市的排序。\n"
        "   - 部分数据因四舍五入的原因，存在总计与分项合计不等的情况。\n"
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"period": "2022-01"}, ConfigError, "published together \\(1—2月\\); use 2022-02"),
        ({"period": "2022Q3"}, ConfigError, "needs a period such as 2023-11"),
        ({"period": "2022Q3", "freq": "Q"}, ConfigError, "outside the data of 云川市"),
        (
            {"period": "2021-05"},
            ConfigError,
            "outside the data of 云川市 \\(ind_va_cum_growth: 2022-09 … 2022-11\\)",
        ),
        ({"region": "990999"}, ConfigError, "^region: "),
        ({"regions": [EAST, NORTH]}, ConfigError, "not covered here; use one of 川东区、北山旗"),
        ({"edition": "public"}, EditionError, "needs the public data layer"),
        ({"edition": "draft"}, ConfigError, "draft"),
    ],
)
def test_document_refuses_bad_parameters(
    small_store: Store, kwargs: dict, error: type[Exception], message: str
) -> None:
    args = {"period": "2022-11", "region": CITY, "edition": "internal", **kwargs}
    with pytest.raises(error, match=message):
        report.Document(small_store, **args)


def test_document_without_period(small_store: Store) -> None:
    doc = report.Document(small_store, region="北山旗", edition="internal")
    assert (doc.period, doc.region.code) == (None, NORTH)
    assert doc.value("ind_va_cum_growth", when="2022-11") == 5.0
    with pytest.raises(ConfigError, match="no period: pass when="):
        doc.value("ind_va_cum_growth")


# -- notebooks import only the public API --------------------------------------------------------


def _code(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    lines = []
    for cell in cells:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            lines.append(
                "\n".join(x for x in source.splitlines() if not x.lstrip().startswith(("%", "!")))
            )
    return "\n".join(lines)


def _private_imports(tree: ast.AST) -> list[str]:
    """``import statlib.X`` / ``from statlib[.X] import Y`` outside ``statlib.__all__`` and
    the module's ``__all__``."""
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "statlib" and (
                    len(parts) > 2 or (len(parts) == 2 and parts[1] not in statlib.__all__)
                ):
                    bad.append(f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "statlib":
            parts = node.module.split(".")
            if len(parts) > 2 or (len(parts) == 2 and parts[1] not in statlib.__all__):
                bad.append(f"from {node.module} import …")
                continue
            public = importlib.import_module(node.module).__all__
            bad += [
                f"from {node.module} import {a.name}" for a in node.names if a.name not in public
            ]
    return bad


NOTEBOOK_FILES = sorted(NOTEBOOKS.rglob("*.ipynb"))


def test_every_notebook_is_checked() -> None:
    names = {p.relative_to(NOTEBOOKS).as_posix() for p in NOTEBOOK_FILES}
    assert {"bulletin.ipynb", "survey_report.ipynb", "examples/toolkit.ipynb"} <= names
    assert any(n.startswith("yearbook/") for n in names)


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.relative_to(NOTEBOOKS).as_posix())
def test_notebooks_import_only_public_names(path: Path) -> None:
    assert _private_imports(ast.parse(_code(path))) == []


@pytest.mark.parametrize(
    ("source", "bad"),
    [
        ("import statlib\nfrom statlib import report, phrase", []),
        ("from statlib.report import Document, Line", []),
        ("from statlib import publication", ["from statlib import publication"]),
        ("from statlib._attached import notes", ["from statlib._attached import …"]),
        ("import statlib.store.store", ["import statlib.store.store"]),
        ("from statlib.errors import ConfigError", ["from statlib.errors import …"]),
        ("from statlib.report import _region", ["from statlib.report import _region"]),
        ("import pandas as pd", []),
    ],
)
def test_private_import_check(source: str, bad: list[str]) -> None:
    assert _private_imports(ast.parse(source)) == bad


# -- the 附注 agree with the 附表 (issue 14, item 4) -----------------------------------------------


def _bulletin_notes(region: str, period: str) -> tuple[list[report.Line], str, Store, Any]:
    """Run the bulletin's text, 附表 and 附注 cells (notebooks/bulletin.ipynb as committed)
    for ``region`` and ``period``; the LINES of its table and the Markdown of its notes."""
    import nbformat

    InteractiveShell.instance()
    nb = nbformat.read(NOTEBOOKS / "bulletin.ipynb", as_version=4)
    # every code cell but the parameters and the charts: the text, the 附表 and the 附注
    code = [
        c.source
        for c in nb.cells
        if c.cell_type == "code" and "parameters" not in c.source and "charts." not in c.source
    ]
    namespace: dict = {"period": period, "region": region, "edition": "internal"}
    with capture_output() as shown:
        for source in code:
            exec(compile(source, "bulletin.ipynb", "exec"), namespace)
    table = namespace["doc"].table(namespace["LINES"]).to_frame()
    return namespace["LINES"], shown.outputs[-1].data["text/markdown"], namespace["store"], table


@pytest.mark.parametrize("region", ["990200", "990202", "990210"])
def test_december_bulletin_notes_name_every_constant_price_indicator(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch, region: str
) -> None:
    """All December bulletins' notes said only 规上工业 grows at comparable prices while their
    table shows GDP at constant prices: the notes now come from the indicators in the table."""
    monkeypatch.setenv("STATLIB_DB", str(demo_db))
    lines, notes, store, table = _bulletin_notes(region, "2023-12")
    # the table says the year as the text does: 全年, 比上年 (not 1—12月…同比)
    assert list(table.columns)[2:] == [
        ("12月份", "绝对量"),
        ("12月份", "同比增长(%)"),
        ("全年", "绝对量"),
        ("全年", "比上年增长(%)"),
        ("全年", "位次"),
    ]
    growths = []
    for line in lines:
        for code in (line.cumulative, line.month):
            if code is None:
                continue
            ind = store.indicator(code)
            growths += (
                [ind]
                if ind.is_growth
                else [
                    store.indicator(c)
                    for c in store.indicators().query("growth_of == @ind.code")["code"]
                ]
            )
    real = {store.indicator(g.growth_of).name for g in growths if g.price_basis == "comparable"}
    nominal = {store.indicator(g.growth_of).name for g in growths} - real
    assert {"地区生产总值", "规模以上工业增加值"} <= real  # the table of a fourth quarter
    basis = next(x for x in notes.splitlines() if "按可比价格计算" in x)
    assert (
        basis == "   - 地区生产总值、规模以上工业增加值增速按可比价格计算，其余指标增速按现价计算。"
    )
    assert all(name in basis for name in real)
    assert not any(name.split("（")[0] in basis for name in nominal)
    store.close()
