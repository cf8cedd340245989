"""The 附表 downloads (statlib.render.downloads): a document's tables as XLSX and CSV.

A small notebook is executed by a real kernel (nbclient): one public table and one in a cell
tagged ``internal-only``. Its outputs carry each table's JSON (``Table._repr_mimebundle_``);
``render(..., ["xlsx", "csv"])`` ships them, read back here with plain pandas.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from statlib._tables.payload import TABLE_MIME, from_payload, to_payload
from statlib.errors import RenderError
from statlib.render import render
from statlib.tables import SUPPRESSED, Table, col, group

FRONT = """---
title: 2023年1—11月全市经济运行情况
series: bulletin
issue: 11
date: 2023-12-15
unit: 云川市统计局
---"""

PUBLIC_TABLE = """\
from statlib.tables import SUPPRESSED, Table, group
Table("主要经济指标").columns(group("1—11月", "绝对量", "同比增长(%)")) \\
    .row("地区生产总值", [1234.56, 5.44], unit="亿元", decimals=(2, 1)) \\
    .row("商品零售", [SUPPRESSED, -3.0], unit="亿元", sub_item=True, level=1) \\
    .row("限额以上单位", [0.004, None], unit="亿元", decimals=2)"""

INTERNAL_TABLE = """\
Table("内部测算").columns("增长(%)").row("企业景气指数测算", [7.25], decimals=2)"""

HIDDEN_TABLE = """\
#| output: false
Table("不显示").columns("值").row("草稿", [1.0])"""


def _notebook(edition: str, cells: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(f'period = "2023-11"\nedition = "{edition}"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_raw_cell(FRONT), params]
    for source in cells:
        cell = nbformat.v4.new_code_cell(source)
        if source is INTERNAL_TABLE:
            cell.metadata["tags"] = ["internal-only"]
        nb.cells.append(cell)
    return nb


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("executed")
    out: dict[str, Path] = {}
    for edition in ("internal", "public"):
        nb = _notebook(edition, [PUBLIC_TABLE, INTERNAL_TABLE, HIDDEN_TABLE])
        NotebookClient(nb, kernel_name="python3", timeout=120).execute()
        path = work / edition / "bulletin.ipynb"
        path.parent.mkdir()
        nbformat.write(nb, path)
        out[edition] = path
    return out


TABLES = [
    Table("主要经济指标")
    .columns(group("当月", "绝对量", col("同比增长(%)", 1)), col("位次", 0))
    .row("社会消费品零售总额", [42505.123, -5.44, 3], unit="亿元", decimals=2)
    .row("#商品零售", [SUPPRESSED, None, "—"], unit="亿元", sub_item=True, level=1)
    .row("餐饮收入", [0.001, 1.0, 2], decimals=(3, 1, 0), footnote="①", break_=True)
    .footnote("① 口径调整。")
    .source("云川市统计局"),
    Table("年末人口", number="3-1", unit="万人", thousands=True)
    .columns("2022年", "2023年")
    .row("常住人口", [Decimal("1234.5"), Decimal("1240.1")]),
    Table("空表").columns("值"),
]


@pytest.mark.parametrize("table", TABLES, ids=[t.title for t in TABLES])
def test_payload_round_trip(table: Table) -> None:
    data = json.loads(json.dumps(to_payload(table), ensure_ascii=False))
    assert from_payload(data, "nb.ipynb") == table


BAD = [
    ({"version": 2}, "not a version-1 statlib table"),
    ("text", "not a version-1"),
    ({**to_payload(TABLES[0]), "rows": [{"label": "x", "values": [1.5], "decimals": 1}]}, "x"),
    ({**to_payload(TABLES[1]), "options": {"number": "3.1"}}, "章-序"),
]


@pytest.mark.parametrize(("data", "words"), BAD)
def test_bad_payload_names_the_cell(data: object, words: str) -> None:
    with pytest.raises(RenderError) as caught:
        from_payload(data, "bulletin.ipynb, cell 4")
    message = str(caught.value)
    assert "bulletin.ipynb, cell 4" in message and words in message and TABLE_MIME in message


def test_outputs_carry_the_table_json(executed: dict[str, Path]) -> None:
    nb = nbformat.read(executed["internal"], as_version=4)
    payloads = [o.data[TABLE_MIME] for c in nb.cells for o in c.get("outputs", []) if "data" in o]
    assert [p["title"] for p in payloads] == ["主要经济指标", "内部测算", "不显示"]
    assert payloads[0]["rows"][0]["values"] == ["1234.56", "5.44"]
    assert payloads[0]["rows"][1]["values"] == [{"suppressed": True}, "-3.0"]


EDITIONS = [
    # edition, CSV files written, tables in the workbook (after 封面, 目录, 说明), 版本 on the cover
    ("internal", ["bulletin.internal-1.csv", "bulletin.internal-2.csv"], 2, "内部版"),
    ("public", ["bulletin.public.csv"], 1, "公开版"),
]


@pytest.mark.parametrize(("edition", "csvs", "sheets", "label"), EDITIONS)
def test_downloads_of_each_edition(
    executed: dict[str, Path],
    tmp_path: Path,
    edition: str,
    csvs: list[str],
    sheets: int,
    label: str,
) -> None:
    made = render(executed[edition], ["xlsx", "csv"], edition=edition, out=tmp_path, scan=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*csvs, f"bulletin.{edition}.xlsx"])
    assert sorted(made) == (["csv", "csv-2", "xlsx"] if sheets == 2 else ["csv", "xlsx"])

    book = pd.read_excel(made["xlsx"], sheet_name=None)
    assert list(book)[:3] == ["封面", "目录", "说明"] and len(book) == 3 + sheets
    cover = dict(zip(book["封面"]["项目"], book["封面"]["内容"], strict=True))
    assert cover["标题"] == "《统计资讯》第11期附表"
    assert cover["时期"] == "2023年1—11月" and cover["版本"].startswith(label)
    main = book["主要经济指标"]
    assert list(main.columns) == [
        "指标",
        "单位",
        "1—11月 绝对量",
        "1—11月 绝对量_标志",
        "1—11月 同比增长(%)",
    ]
    assert main["1—11月 绝对量"].dtype == "float64"
    assert main["1—11月 绝对量"].tolist()[0] == 1234.56
    assert main["1—11月 绝对量_标志"].tolist()[1:] == ["…", "…"]  # suppressed; below the unit
    assert main["1—11月 同比增长(%)"].tolist()[:2] == [5.4, -3.0]

    frame = pd.read_csv(tmp_path / csvs[0])
    assert frame["period"].tolist() == ["2023-11"] * 3
    assert frame["period_label"].unique().tolist() == ["2023年1—11月"]
    assert frame["1—11月 同比增长(%)"].dtype == "float64"
    assert frame["指标"].tolist() == ["地区生产总值", "#商品零售", "限额以上单位"]
    if sheets == 2:
        assert pd.read_csv(tmp_path / csvs[1])["增长(%)"].tolist() == [7.25]


def test_the_page_is_the_same_with_or_without_the_table_json(
    executed: dict[str, Path], tmp_path: Path
) -> None:
    nb = nbformat.read(executed["public"], as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            out.get("data", {}).pop(TABLE_MIME, None)
    stripped = tmp_path / "stripped" / "bulletin.ipynb"
    stripped.parent.mkdir()
    nbformat.write(nb, stripped)
    pages = [
        render(p, ["html"], edition="public", out=tmp_path / p.parent.name, scan=False)["html"]
        for p in (executed["public"], stripped)
    ]
    assert pages[0].read_bytes() == pages[1].read_bytes()
    assert "1234.56" in pages[0].read_text(encoding="utf-8")


REFUSED = [
    ("masked", [PUBLIC_TABLE], "the masked edition has no xlsx download"),
    ("public", ["1 + 1"], "no table to download as xlsx"),
]


@pytest.mark.parametrize(("edition", "cells", "words"), REFUSED)
def test_refused_downloads_say_why(
    tmp_path: Path, edition: str, cells: list[str], words: str
) -> None:
    nb = _notebook(edition, cells)
    NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    path = tmp_path / "bulletin.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(RenderError) as caught:
        render(path, ["html", "xlsx"], edition=edition, out=tmp_path / "out", scan=False)
    assert "bulletin.ipynb" in str(caught.value) and words in str(caught.value)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
