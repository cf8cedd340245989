"""Downloads people can use: every XLSX and CSV a table writes reads with plain pandas."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from statlib import tables
from statlib.errors import ConfigError
from statlib.leaks.scanner import Secret, scan
from statlib.tables import SUPPRESSED, Table, col, group


def bulletin() -> Table:
    sub = (col("绝对量"), col("同比增长(%)", 1), col("位次", 0))
    return (
        Table("主要经济指标")
        .columns(group("11月份", *sub), group("1—11月", *sub))
        .row("规模以上工业增加值", [None, 7.25, 4, None, 6.95, 3])
        .row("社会消费品零售总额", [45.675, -5.44, 6, 512.345, 2.05, 5], unit="亿元", decimals=2)
        .row("商品零售", [SUPPRESSED, -4.95, 7, 450, 2.3, 5], unit="亿元", level=1, sub_item=True)
        .footnote("* 不含农户。")
        .source("市统计局")
    )


def yearbook() -> Table:
    return (
        Table("生产总值", number="2-7", unit="亿元")
        .columns("2020年", "2021年", "2022年")
        .row("地区生产总值", [1530.26, 1689.94, 1802.0])
        .row("第一产业", [0.04, None, 12.345], level=1)
        .row("工业", [610.5, SUPPRESSED, 655.55], level=2, sub_item=True)
    )


CASES = [
    # table, sheet, numeric columns, (column, row, value), flag column and its symbol row
    (
        bulletin,
        "主要经济指标",
        ["11月份 同比增长(%)", "11月份 位次", "1—11月 绝对量", "1—11月 位次"],
        ("1—11月 绝对量", 1, 512.35),
        ("11月份 绝对量_标志", 2),
    ),
    (yearbook, "表2-7", ["2020年", "2021年", "2022年"], ("2022年", 1, 12.3), ("2021年_标志", 2)),
]


@pytest.mark.parametrize(("make", "sheet", "numeric", "value", "flag"), CASES)
def test_xlsx_reads_with_plain_pandas(
    make, sheet: str, numeric: list[str], value: tuple, flag: tuple, tmp_path: Path
) -> None:
    path = tmp_path / "t.xlsx"
    make().to_xlsx(path)
    frames = pd.read_excel(path, sheet_name=None)
    assert list(frames)[:3] == ["封面", "目录", "说明"]
    frame = frames[sheet]
    assert not [c for c in frame.columns if str(c).startswith("Unnamed")]
    for name in numeric:
        assert pd.api.types.is_numeric_dtype(frame[name]), (name, frame[name].dtype)
    column, row, number = value
    assert frame[column][row] == pytest.approx(number)
    flag_column, flag_row = flag
    assert frame[flag_column][flag_row] == "…"
    assert pd.isna(frame[flag_column.removesuffix(tables.FLAG_SUFFIX)][flag_row])
    assert frames["目录"]["工作表"].tolist() == [sheet]
    assert frames["封面"].set_index("项目")["内容"]["发布单位"] == "云川市统计局"
    assert "数据保密" in " ".join(frames["说明"]["说明"])
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        assert not ws.merged_cells.ranges, ws.title
        (obj,) = ws.tables.values()
        assert obj.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}", ws.title


def test_workbook_of_several_tables_and_meta(tmp_path: Path) -> None:
    path = tmp_path / "附表.xlsx"
    meta = {"标题": "2023年11月统计月报 附表", "统计时期": "2023年1—11月", "版本": "公开版"}
    tables.write_workbook([("表1", bulletin()), ("表2", yearbook())], path, meta)
    frames = pd.read_excel(path, sheet_name=None)
    assert list(frames) == ["封面", "目录", "说明", "表1", "表2"]
    cover = frames["封面"].set_index("项目")["内容"]
    assert cover["版本"] == "公开版" and cover["统计时期"] == "2023年1—11月"
    assert frames["目录"]["表名"].tolist() == ["主要经济指标", "表2-7 生产总值(亿元)"]
    with pytest.raises(ConfigError, match="share a sheet name"):
        tables.write_workbook([("表1", bulletin()), ("表1", yearbook())], tmp_path / "x.xlsx")


@pytest.mark.parametrize(
    ("period", "cumulative", "iso", "label"),
    [
        ("2023-11", True, "2023-11", "2023年1—11月"),
        ("2023-11", False, "2023-11", "2023年11月份"),
        ("2023Q3", True, "2023Q3", "2023年前三季度"),
        ("2023", True, "2023", "2023年"),
    ],
)
def test_tidy_csv_period_columns(period: str, cumulative: bool, iso: str, label: str) -> None:
    text = tables.tidy_csv(bulletin(), period=period, cumulative=cumulative)
    frame = pd.read_csv(io.StringIO(text), dtype={"period": str})
    assert list(frame.columns[:3]) == ["period", "period_label", "指标"]
    assert set(frame["period"]) == {iso} and set(frame["period_label"]) == {label}
    assert str(pd.Period(iso)) == iso  # the ISO period parses as itself
    assert pd.api.types.is_float_dtype(frame["1—11月 绝对量"])
    assert frame["1—11月 绝对量"].tolist()[1:] == [512.35, 450.0]


def test_tidy_csv_numbers_plain_and_flags(tmp_path: Path) -> None:
    big = (
        Table("t", thousands=True).columns("2023年").row("a", [1234567.891]).row("b", [SUPPRESSED])
    )
    path = tmp_path / "t.csv"
    tables.write_csv(tables.tidy_csv(big), path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(path, encoding="utf-8-sig")
    assert list(frame.columns) == ["指标", "2023年", "2023年_标志"]
    assert frame["2023年"][0] == pytest.approx(1234567.9) and pd.isna(frame["2023年"][1])
    assert frame["2023年_标志"].fillna("").tolist() == ["", "…"]


def test_tidy_csv_row_periods() -> None:
    t = Table("指数", stub="时期").columns("全市").row("2023年1—2月", [1.5]).row("2023年1—3月", [2])
    text = tables.tidy_csv(t, row_periods=["2023-02", "2023-03"])
    frame = pd.read_csv(io.StringIO(text), dtype={"period": str})
    assert list(frame.columns) == ["period", "时期", "全市"]
    assert frame["period"].map(lambda p: pd.Period(p, freq="M").month).tolist() == [2, 3]
    with pytest.raises(ConfigError, match="one period per row"):
        tables.tidy_csv(t, row_periods=["2023-02"])


def _downloads(table: Table, folder: Path) -> list[Path]:
    folder.mkdir()
    tables.write_workbook([("附表1", table)], folder / "附表.xlsx", {"版本": "公开版"})
    tables.write_csv(tables.tidy_csv(table, period="2023-11"), folder / "附表1.csv")
    return [folder / "附表.xlsx", folder / "附表1.csv"]


@pytest.mark.parametrize(
    ("value", "hits"), [(SUPPRESSED, set()), (8765.43, {"附表.xlsx", "附表1.csv"})]
)
def test_public_downloads_carry_no_confidential_value(
    value: object, hits: set[str], tmp_path: Path
) -> None:
    """The leak scanner reads the workbook's sheets and the CSV: the public table (its
    confidential cell suppressed) is clean; the same table with the number is caught."""
    table = (
        Table("规模以上工业")
        .columns(col("1—11月", 2), col("同比增长(%)", 1))
        .row("全市", [1234.5, 6.1], unit="亿元")
        .row("龙头企业", [value, 3.2], unit="亿元")
    )
    paths = _downloads(table, tmp_path / "public")
    found = scan(paths, [Secret("8765.43", "保密数")])
    assert {Path(h.file).name for h in found} == hits


def test_yearbook_export_reads_with_plain_pandas(tmp_path: Path) -> None:
    from statlib import yearbook as book

    (path,) = book.export_xlsx([yearbook()], tmp_path)
    frame = pd.read_excel(path, sheet_name="表2-7")
    names = ["指标", "2020年", "2020年_标志", "2021年", "2021年_标志", "2022年"]
    assert frame.columns.tolist() == names  # 0.04 shows as … (below 0.1): a flag, no number
    assert frame["指标"].tolist() == ["地区生产总值", "第一产业", "#工业"]
    assert [str(frame[c].dtype) for c in ("2020年", "2021年", "2022年")] == ["float64"] * 3
    assert frame["2020年_标志"].fillna("").tolist() == ["", "…", ""]
    assert frame["2021年_标志"].fillna("").tolist() == ["", "", "…"]
