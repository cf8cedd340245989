"""Cells of a file as rows of text: CSV of any supported encoding, and XLSX without formulas.

Both readers are bounded (``statlib.ingest.limits``): a file beyond a bound is refused naming
the bound before it can fill the memory. Workbooks are streamed (openpyxl's read-only parser):
the declared dimension is checked before a cell is read, and every cell as it arrives.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import sys
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from statlib.errors import InputError
from statlib.ingest.base import decode
from statlib.ingest.limits import EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS, Clock, Limits, limits

if TYPE_CHECKING:
    from openpyxl.worksheet._reader import WorkSheetParser

__all__ = ["csv_rows", "excel_sep", "sniff_delimiter", "xlsx_rows"]

# what a sheet's cell beyond a bound says (templates of Limits.check)
_FAR_CELL = "cell {column}{row} is in column {n:,}"
_MANY_CELLS = "the sheet holds more than {limit:,} cells"
_LONG_CELL = "cell {column}{row} holds {n:,} characters"

Rows = list[list[str]]

_SEP_LINE = re.compile(r'^"?sep=(.)"?\s*$')
_NOTE = re.compile(r"^(注|数据来源)[：:]")


def sniff_delimiter(header: str) -> str:
    """Comma unless the header line holds more tabs or semicolons than commas."""
    counts = {d: header.count(d) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def excel_sep(line: str) -> str | None:
    """The delimiter an Excel ``sep=;`` first line declares, or None."""
    m = _SEP_LINE.match(line.strip())
    return m[1] if m else None


def csv_rows(path: Path, display: str | None = None) -> Rows:
    """Every line of a CSV as a list of cells (stripped), line numbers = list index + 1.

    An Excel ``sep=X`` first line sets the delimiter and counts as an empty line. A file whose
    last table row has no final line break may have been cut short and is refused.
    """
    name = display or str(path)
    bounds = limits()
    text, _ = decode(path)
    lines = text.splitlines()
    first_i = next((i for i, line in enumerate(lines) if line.strip()), 0)
    first = lines[first_i] if lines else ""
    sep = excel_sep(first)
    if sep is not None:
        header = next((line for line in lines[first_i + 1 :] if line.strip()), "")
        delimiter = sep
    else:
        header, delimiter = first, sniff_delimiter(first)
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # lengths are checked below, with a row
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise InputError(
            f"the CSV is malformed: {exc}",
            file=name,
            row=int(line[1]) if line else None,
            hint="check quotes: a field that contains a comma or a line break must be quoted",
        ) from exc
    if sep is not None:
        rows[first_i] = []
    head = [c.strip() for c in header.split(delimiter)]
    cells = 0
    for r_no, row in enumerate(rows, 1):
        if len(row) <= bounds.max_columns:
            cells += len(row)
        bounds.check(
            "max_cells", cells, "the table holds more than {limit:,} cells", file=name, row=r_no
        )
        bounds.check_row(row, file=name, row=r_no, names=head if r_no > 1 else ())
    if text and not text.endswith(("\n", "\r")) and rows:
        last = len(rows)
        filled = [c.strip() for c in rows[-1] if c.strip()]
        note = len(filled) == 1 and _NOTE.match(filled[0])  # a footer line: not a table row
        if len(filled) > 1 or (_looks_cut(rows) and not note):
            raise InputError(
                "the file ends without a line break in the middle of a table row: it may have "
                "been cut short",
                file=name,
                row=last,
                column=(
                    head[len(rows[-1]) - 1]
                    if 0 < len(rows[-1]) <= len(head)
                    else f"#{len(rows[-1])}"
                ),
                hint="export the file again; if it is complete, add a line break at its end",
            )
    return [[c.strip() for c in row] for row in rows]


def _looks_cut(rows: Rows) -> bool:
    widths = [len(r) for r in rows if any(c.strip() for c in r)]
    return len(widths) > 2 and widths[-1] < max(widths[1:-1])


def xlsx_rows(path: Path, display: str | None = None) -> Rows:
    """The first visible sheet of a workbook as rows of text, streamed and bounded.

    Formulas, merged cells and hidden rows or columns holding values are rejected: a formula's
    cached value may be stale or absent, a merged cell hides which rows or columns it labels,
    and a hidden row is a value nobody checked on screen.
    """
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._reader import WorkSheetParser

    name = display or str(path)
    bounds = limits()
    clock = Clock(name, bounds)
    _check_archive(path, name, bounds)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # zip, XML and format errors all mean "not a workbook"
        raise InputError(
            f"cannot open the workbook: {exc}",
            file=name,
            hint="save it again from Excel/WPS as .xlsx",
        ) from exc
    try:
        sheets = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
        if not sheets:
            raise InputError(
                "the workbook has no visible sheet",
                file=name,
                hint="unhide the sheet that holds the data",
            )
        ws: Any = sheets[0]  # openpyxl's private reader API below (_max_row, _get_source)
        max_rows = min(bounds.max_rows, EXCEL_MAX_ROWS)
        if ws._max_row is not None and ws._max_column is not None:  # the declared dimension
            n_rows, n_cols = ws._max_row, ws._max_column
            corner = f"{get_column_letter(min(n_cols, EXCEL_MAX_COLUMNS))}{n_rows}"
            if n_rows > EXCEL_MAX_ROWS or n_cols > EXCEL_MAX_COLUMNS:
                raise InputError(
                    f"sheet {ws.title!r} declares {n_rows:,} rows × {n_cols:,} columns, more "
                    f"than a workbook can hold ({EXCEL_MAX_ROWS:,} × {EXCEL_MAX_COLUMNS:,})",
                    file=name,
                    row=n_rows,
                    column=corner.rstrip("0123456789"),
                    hint="the file is damaged or forged: save it again from Excel",
                )
            at = {"file": name, "row": n_rows, "column": corner.rstrip("0123456789")}
            if n_rows > max_rows:
                raise bounds.exceeded(
                    "max_rows",
                    f"sheet {ws.title!r} declares {n_rows:,} rows (up to {corner})",
                    **at,
                )
            if n_cols > bounds.max_columns:
                raise bounds.exceeded(
                    "max_columns",
                    f"sheet {ws.title!r} declares {n_cols:,} columns (up to {corner})",
                    **at,
                )
            if n_rows * n_cols > bounds.max_cells:
                raise bounds.exceeded(
                    "max_cells",
                    f"sheet {ws.title!r} declares {n_rows:,} × {n_cols:,} cells (up to {corner})",
                    **at,
                )
        book: Any = wb
        with ws._get_source() as src:
            parser = WorkSheetParser(
                src,
                ws._shared_strings,
                data_only=False,
                epoch=wb.epoch,
                date_formats=book._date_formats,
                timedelta_formats=book._timedelta_formats,
            )
            rows = _stream(parser, name, bounds, clock, max_rows, get_column_letter)
            _check_hidden(parser, rows, name, get_column_letter)
            if parser.merged_cells is not None and parser.merged_cells.mergeCell:
                rng = sorted(parser.merged_cells.mergeCell, key=lambda m: (m.min_row, m.min_col))[0]
                raise InputError(
                    f"merged cells {rng.ref} in sheet {ws.title!r}",
                    file=name,
                    row=rng.min_row,
                    column=get_column_letter(rng.min_col),
                    hint="unmerge the cells and repeat the label in every row or column it covers",
                )
        return rows
    finally:
        wb.close()


def _check_archive(path: Path, name: str, bounds: object) -> None:
    """Refuse a workbook whose parts unpack beyond the byte bound (a zip bomb) before parsing."""
    from statlib.ingest.limits import Limits

    assert isinstance(bounds, Limits)
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            f"cannot open the workbook: {exc}",
            file=name,
            hint="save it again from Excel/WPS as .xlsx",
        ) from exc
    if unpacked > bounds.max_bytes:
        raise bounds.exceeded("max_bytes", f"the workbook unpacks to {unpacked:,} bytes", file=name)


def _stream(
    parser: WorkSheetParser,
    name: str,
    bounds: Limits,
    clock: Clock,
    max_rows: int,
    letter: Callable[[int], str],
) -> Rows:
    rows: Rows = []
    cells = 0
    clock.check()
    for r_idx, row in parser.parse():
        if r_idx > max_rows:
            raise bounds.exceeded(
                "max_rows", f"row {r_idx:,} is beyond the sheet's bound", file=name, row=r_idx
            )
        if r_idx % 1000 == 0:
            clock.check(r_idx)
        out: list[str] = []
        for cell in row:
            value, c_idx = cell["value"], cell["column"]
            if value is None:
                continue
            col = letter(min(c_idx, EXCEL_MAX_COLUMNS))
            bounds.check("max_columns", c_idx, _FAR_CELL, file=name, row=r_idx, column=col)
            cells += 1
            bounds.check("max_cells", cells, _MANY_CELLS, file=name, row=r_idx)
            if cell["data_type"] == "f" or (isinstance(value, str) and value.startswith("=")):
                raise InputError(
                    f"cell {col}{r_idx} holds a formula ({value})",
                    file=name,
                    row=r_idx,
                    column=col,
                    hint="replace formulas by their values (copy, paste special → values)",
                )
            text = _cell_text(value)
            bounds.check("max_field", len(text), _LONG_CELL, file=name, row=r_idx, column=col)
            if len(out) < c_idx:
                out.extend([""] * (c_idx - len(out)))
            out[c_idx - 1] = text
        while len(rows) < r_idx - 1:
            rows.append([])
        if r_idx > len(rows):
            rows.append(out)
    clock.check()
    return rows


def _check_hidden(
    parser: WorkSheetParser, rows: Rows, name: str, letter: Callable[[int], str]
) -> None:
    """A hidden row or column that holds a value is refused, naming it."""
    for r_key, attrs in parser.row_dimensions.items():
        r = int(r_key)
        if attrs.get("hidden") in ("1", "true") and r <= len(rows) and any(rows[r - 1]):
            c = next(i for i, v in enumerate(rows[r - 1]) if v)
            raise _hidden(f"row {r}", name, r, letter(c + 1))
    from openpyxl.utils import column_index_from_string

    for attrs in parser.column_dimensions.values():
        if attrs.get("hidden") not in ("1", "true"):
            continue
        lo = column_index_from_string(attrs["index"])
        hi = int(attrs.get("max", lo))
        for r, row in enumerate(rows, 1):
            hit = next((i for i in range(lo - 1, min(hi, len(row))) if row[i]), None)
            if hit is not None:
                raise _hidden(f"column {letter(hit + 1)}", name, r, letter(hit + 1))


def _hidden(what: str, name: str, row: int, column: str) -> InputError:
    """``what`` (``row 7``, ``column C``) is hidden but holds a value at ``row``, ``column``."""
    kind = what.split()[0]
    return InputError(
        f"{what} is hidden but holds values",
        file=name,
        row=row,
        column=column,
        hint=f"unhide the {kind} (or delete it) so that every value loaded is seen",
    )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    return unicodedata.normalize("NFC", str(value)).strip()
