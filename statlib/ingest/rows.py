"""Cells of a file as rows of text: CSV of any supported encoding, and XLSX without formulas."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

from statlib.errors import InputError
from statlib.ingest.base import decode

__all__ = ["csv_rows", "sniff_delimiter", "xlsx_rows"]

Rows = list[list[str]]


def sniff_delimiter(header: str) -> str:
    """Comma unless the header line holds more tabs or semicolons than commas."""
    counts = {d: header.count(d) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def csv_rows(path: Path) -> Rows:
    """Every line of a CSV as a list of cells (stripped), line numbers = list index + 1."""
    text, _ = decode(path)
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first),
                               strict=True))
    except csv.Error as exc:
        raise InputError(
            f"the CSV is malformed: {exc}", file=str(path),
            hint="check quotes: a field that contains a comma or a line break must be quoted",
        ) from exc
    if text and not text.endswith(("\n", "\r")) and rows and _looks_cut(rows):
        raise InputError(
            "the file ends in the middle of a row (truncated)", file=str(path), row=len(rows),
            hint="the download or copy was cut short: export the file again",
        )
    return [[c.strip() for c in row] for row in rows]


def _looks_cut(rows: Rows) -> bool:
    widths = [len(r) for r in rows if any(c.strip() for c in r)]
    return len(widths) > 2 and widths[-1] < max(widths[1:-1])


def xlsx_rows(path: Path) -> Rows:
    """The first visible sheet of a workbook as rows of text.

    Formulas and merged cells are rejected: a formula's cached value may be stale or absent,
    and a merged cell hides which rows or columns it labels.
    """
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        wb = openpyxl.load_workbook(path, data_only=False)
    except Exception as exc:  # zip, XML and format errors all mean "not a workbook"
        raise InputError(
            f"cannot open the workbook: {exc}", file=str(path),
            hint="save it again from Excel/WPS as .xlsx",
        ) from exc
    sheets = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    if not sheets:
        raise InputError("the workbook has no visible sheet", file=str(path))
    ws = sheets[0]
    if ws.merged_cells.ranges:
        rng = sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col))[0]
        raise InputError(
            f"merged cells {rng.coord} in sheet {ws.title!r}", file=str(path), row=rng.min_row,
            column=get_column_letter(rng.min_col),
            hint="unmerge the cells and repeat the label in every row or column it covers",
        )
    rows: Rows = []
    for r_idx, row in enumerate(ws.iter_rows(min_row=1, min_col=1), 1):
        cells = []
        for c_idx, cell in enumerate(row, 1):
            value = cell.value
            if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
                raise InputError(
                    f"cell {get_column_letter(c_idx)}{r_idx} holds a formula ({value})",
                    file=str(path), row=r_idx, column=get_column_letter(c_idx),
                    hint="replace formulas by their values (copy, paste special → values)",
                )
            cells.append(_cell_text(value))
        rows.append(cells)
    return rows


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
