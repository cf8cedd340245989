"""XLSX rendering with openpyxl in the accessible-spreadsheet layout (UK Analysis Function
guidance): cover, contents and notes sheets, each table sheet with its header in row 1, an Excel
table object, no merged cells, numbers as numbers with a flag column for symbols; values only
(no formulas) and byte-identical files for the same tables.

openpyxl rather than gptables: openpyxl is already a dependency (the readers use it), table
objects and flat headers are a few lines there, and ``save_xlsx`` already pins the timestamps
for byte-identical output; gptables would add xlsxwriter for the same layout."""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table as XTable
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from statlib._tables.cells import display_width
from statlib._tables.layout import caption_lines, note_lines
from statlib._tables.spec import Table
from statlib._tables.tidy import FLAG_SUFFIX, tidy
from statlib.errors import ConfigError

_FIXED_TIME = datetime(2000, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
COVER, CONTENTS, NOTES = "封面", "目录", "说明"
DEFAULT_PUBLISHER = "云川市统计局"
SYMBOL_NOTES = (
    f"“…”：数据保密不予公布，或数值小于表中最小计量单位；数值单元格留空，"
    f"符号写在其右侧的“<列名>{FLAG_SUFFIX}”列。",
    "空白：无该项数据。",
    "“#”：其中项。",
)


def number_format(decimals: int, thousands: bool = False) -> str:
    """``0``, ``0.0``, ``0.00`` (``#,##0.00`` with thousands separators)."""
    whole = "#,##0" if thousands else "0"
    return whole + ("." + "0" * decimals if decimals else "")


def _cell(ws: Worksheet, row: int, column: int) -> XCell:
    """The writable cell at ``row``, ``column``: every value is written before its range
    is merged, so it is never a covered ``MergedCell``."""
    cell = ws.cell(row, column)
    assert isinstance(cell, XCell), f"{cell.coordinate} is covered by a merged range"
    return cell


def _text(cell: XCell, text: str) -> None:
    """Store ``text`` as a string even when it starts with ``=``: never a formula."""
    cell.value = text
    cell.data_type = "s"


def _table_object(ws: Worksheet, name: str, nrows: int, ncols: int) -> None:
    """An Excel table over the header row and ``nrows`` data rows (filters, a screen reader's
    header), named ``name`` (unique in the workbook)."""
    ref = f"A1:{get_column_letter(ncols)}{nrows + 1}"
    table = XTable(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    ws.add_table(table)


def _table_name(ws: Worksheet) -> str:
    """``T_<sheet position>``: unique in the workbook, as Excel requires."""
    book = ws.parent
    assert book is not None, "a worksheet being written belongs to a workbook"
    return f"T_{book.index(ws) + 1}"


def _widths(ws: Worksheet, rows: Sequence[Sequence[object]]) -> None:
    for c in range(len(rows[0]) if rows else 0):
        widest = max((display_width(str(r[c])) for r in rows if r[c] is not None), default=4)
        ws.column_dimensions[get_column_letter(c + 1)].width = min(max(widest + 2, 6), 60)


def _plain_sheet(ws: Worksheet, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A text sheet (cover, contents, notes): header in row 1, an Excel table, no merges."""
    for c, text in enumerate(header, 1):
        _text(_cell(ws, 1, c), text)
        ws.cell(1, c).font = Font(bold=True)
    for r, row in enumerate(rows, 2):
        for c, text in enumerate(row, 1):
            _text(_cell(ws, r, c), text)
    _table_object(ws, _table_name(ws), max(len(rows), 1), len(header))
    _widths(ws, [list(header), *rows])


def write_sheet(table: Table, ws: Worksheet) -> Worksheet:
    """One table sheet in the accessible layout: the header in row 1 (flat: ``当月 绝对量``),
    one Excel table object over the data, no merged cells (a row's level is its indent),
    numbers as numbers in the row's number format, and a ``<列>_标志`` column holding a
    symbol (``…``) where the value is not given. Title, unit and notes go to the workbook's
    cover, contents and notes sheets (``write_workbook``) and to the sheet's title property."""
    grid = tidy(table)
    for c, column in enumerate(grid.columns, 1):
        _text(_cell(ws, 1, c), column.name)
        ws.cell(1, c).font = Font(bold=True)
        ws.cell(1, c).alignment = Alignment(horizontal="center", wrap_text=True)
    for r, (values, level) in enumerate(zip(grid.rows, grid.levels, strict=True), 2):
        for c, (column, value) in enumerate(zip(grid.columns, values, strict=True), 1):
            xc = _cell(ws, r, c)
            if value is None:
                continue
            if column.kind == "num":
                xc.value = value
                xc.number_format = number_format(column.decimals, table.thousands)
            else:
                _text(xc, str(value))
                if column.kind == "stub" and level:
                    xc.alignment = Alignment(indent=level)
    _table_object(ws, _table_name(ws), max(len(grid.rows), 1), len(grid.columns))
    ws.freeze_panes = "B2"
    _widths(ws, [list(grid.names), *grid.rows])
    return ws


def _caption(table: Table) -> str:
    return " ".join(caption_lines(table))


def write_workbook(
    tables: Sequence[tuple[str, Table]],
    target: str | Path | IO[bytes],
    meta: Mapping[str, str] | None = None,
) -> None:
    """A workbook in the accessible-spreadsheet layout: 封面 (title, publisher, period,
    release date, edition, contact, source from ``meta``), 目录 (one row per table sheet with
    a link), 说明 (each table's notes and unit, and the symbols), then one sheet per
    ``(sheet name, table)``. The same input gives the same bytes."""
    if not tables:
        raise ConfigError("write_workbook: give at least one (sheet name, table)")
    info = dict(meta or {})
    first = tables[0][1]
    info.setdefault("标题", _caption(first) if len(tables) == 1 else "附表")
    info.setdefault("发布单位", DEFAULT_PUBLISHER)
    sources = sorted({s for _, t in tables for s in t.sources})
    if sources:
        info.setdefault("数据来源", "；".join(sources))
    wb = Workbook()
    cover = wb.active
    assert isinstance(cover, Worksheet), "a new workbook starts with one worksheet"
    cover.title = COVER
    _plain_sheet(cover, ["项目", "内容"], [[k, v] for k, v in info.items() if v])
    contents = wb.create_sheet(CONTENTS)
    notes = wb.create_sheet(NOTES)
    names = [sheet_name(t, s) for s, t in tables]
    if len(set(names)) != len(names):
        raise ConfigError(f"write_workbook: two tables share a sheet name in {names}")
    rows = [[n, _caption(t), n] for n, (_, t) in zip(names, tables, strict=True)]
    _plain_sheet(contents, ["工作表", "表名", "链接"], rows)
    for r, name in enumerate(names, 2):
        link = contents.cell(r, 3)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{name}'!A1")
    note_rows: list[list[str]] = []
    for name, (_, t) in zip(names, tables, strict=True):
        if t.unit:
            note_rows.append([name, "单位", t.unit + (f" ({t.unit_en})" if t.unit_en else "")])
        note_rows.extend([name, "注", line] for line in note_lines(t))
    note_rows.extend(["全部", "符号", text] for text in SYMBOL_NOTES)
    _plain_sheet(notes, ["工作表", "类别", "说明"], note_rows)
    for name, (_, t) in zip(names, tables, strict=True):
        ws = wb.create_sheet(name)
        write_sheet(t, ws)
    save_xlsx(wb, target)


def sheet_name(table: Table, sheet: str | None) -> str:
    name = sheet if sheet is not None else (f"表{table.number}" if table.number else table.title)
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"to_xlsx: sheet must be a non-empty str, got {sheet!r}")
    if sheet is not None and (_BAD_SHEET.search(name) or len(name) > 31):
        raise ConfigError(
            f"to_xlsx: sheet={sheet!r} is not a valid Excel sheet name; use at most 31 "
            "characters and none of [ ] : * ? / \\"
        )
    return _BAD_SHEET.sub("_", name)[:31]


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def save_xlsx(wb: Workbook, target: str | Path | IO[bytes]) -> None:
    """Save ``wb`` with fixed timestamps, so the same content gives the same bytes.

    A path is written atomically (temporary file, then rename).
    """
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    wb.properties.creator = "statlib"
    wb.properties.lastModifiedBy = None
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the clock on save
                data = _MODIFIED.sub(
                    rb"\g<1>" + _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                    data,
                )
            dst.writestr(fixed, data)
    payload = out.getvalue()
    if isinstance(target, str | os.PathLike):
        path = Path(target)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    else:
        target.write(payload)


def to_xlsx(
    table: Table, target: str | Path | IO[bytes] | Workbook, sheet: str | None = None
) -> Worksheet:
    name = sheet_name(table, sheet)
    if isinstance(target, Workbook):
        wb = target
        only = wb.worksheets[0] if len(wb.worksheets) == 1 else None
        if (
            only is not None
            and only.title == "Sheet"
            and only.max_row == 1
            and only["A1"].value is None
        ):
            only.title = name
            ws = only
        elif name in wb.sheetnames:
            raise ConfigError(
                f"to_xlsx: the workbook already has a sheet {name!r}; pass sheet= with another name"
            )
        else:
            ws = wb.create_sheet(name)
        return write_sheet(table, ws)
    write_workbook([(name, table)], target)
    book = Workbook()
    sheet_ = book.active
    assert isinstance(sheet_, Worksheet), "a new workbook starts with one worksheet"
    sheet_.title = name
    return write_sheet(table, sheet_)
