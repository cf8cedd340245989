"""XLSX rendering with openpyxl: values only (no formulas), number formats per row, frozen
header, merged group headers, notes below, and byte-identical files for the same table."""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from statlib._tables.cells import display_width
from statlib._tables.layout import layout
from statlib._tables.spec import Table
from statlib.errors import ConfigError

_FIXED_TIME = datetime(2000, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


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


def write_sheet(table: Table, ws: Worksheet) -> Worksheet:
    lay = layout(table)
    n = lay.ncols
    r = 1
    titles = [(f"表{table.number} " if table.number else "") + table.title]
    if table.title_en:
        titles.append(table.title_en)
    for i, line in enumerate(titles):
        _text(_cell(ws, r, 1), line)
        ws.cell(r, 1).font = Font(bold=i == 0, size=14 if i == 0 else 11)
        ws.cell(r, 1).alignment = Alignment(horizontal="center")
        if n > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n)
        r += 1
    if table.unit:
        unit = f"单位：{table.unit}" + (f" ({table.unit_en})" if table.unit_en else "")
        _text(_cell(ws, r, n), unit)
        ws.cell(r, n).alignment = Alignment(horizontal="right")
        r += 1
    first_header = r
    for header_row in lay.header:
        for h in header_row:
            _text(_cell(ws, r, h.col + 1), h.text)
            if h.colspan > 1 or h.rowspan > 1:
                ws.merge_cells(
                    start_row=r,
                    start_column=h.col + 1,
                    end_row=r + h.rowspan - 1,
                    end_column=h.col + h.colspan,
                )
        r += 1
    for row in range(first_header, r):
        for c in range(1, n + 1):
            ws.cell(row, c).font = Font(bold=True)
            ws.cell(row, c).alignment = Alignment(horizontal="center", vertical="center")
            ws.cell(row, c).border = _BOX
    body_start = r
    for body in lay.rows:
        for c, tc in enumerate(body.cells, 1):
            xc = _cell(ws, r, c)
            if tc.kind == "num":
                xc.value = tc.value
                xc.number_format = number_format(tc.decimals, table.thousands)
                xc.alignment = Alignment(horizontal="right")
            elif tc.kind != "blank":
                _text(xc, tc.text)
                right = tc.kind in ("symbol", "text")
                xc.alignment = Alignment(
                    horizontal="right" if right else "center" if tc.kind == "unit" else "left"
                )
            xc.border = _BOX
        r += 1
    ws.freeze_panes = ws.cell(body_start, lay.stub_columns + 1).coordinate
    for line in lay.notes:
        _text(_cell(ws, r, 1), line)
        r += 1
    for c in range(n):
        texts = [lay.flat_header[c]] + [row.cells[c].text for row in lay.rows]
        widest = max((display_width(t) for t in texts), default=4)
        if c >= lay.stub_columns:
            widest = max(
                widest,
                max((display_width(h.text) for h in lay.header[-1] if h.col == c), default=0),
            )
        ws.column_dimensions[get_column_letter(c + 1)].width = min(max(widest + 2, 6), 60)
    return ws


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
    wb = Workbook()
    first = wb.active
    assert isinstance(first, Worksheet), "a new workbook starts with one worksheet"
    first.title = name
    write_sheet(table, first)
    save_xlsx(wb, target)
    return first
