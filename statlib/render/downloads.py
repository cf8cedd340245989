"""The 附表 downloads of a document: its tables as XLSX and CSV next to its PDF.

Formats ``xlsx`` and ``csv`` write the tables the notebook showed (``Table`` outputs carry their
JSON, ``statlib._tables.payload``) in the edition rendered: a cell tagged ``internal-only`` is
left out of a public download as it is left out of the public page, and a cell with
``#| output: false`` (no output on the page) from every download.

- ``xlsx``: one workbook, ``<stem>.<edition>.xlsx``, in the accessible-spreadsheet layout
  (封面 with the document, period and edition; 目录; 说明; one sheet per table).
- ``csv``: the tidy CSV of each table (``period`` in ISO form beside ``period_label``, plain
  numbers, ``<列>_标志`` flag columns, UTF-8 with BOM): ``<stem>.<edition>.csv`` for a document
  with one table, ``<stem>.<edition>-1.csv``, ``-2.csv``, … in document order for several.

The masked edition has no downloads: its figures are masked, and a spreadsheet of ``**.*`` is
no download. A document without tables asked for either format is an error naming it.
"""

from __future__ import annotations

import re
from pathlib import Path

from statlib._tables.spec import Table
from statlib._tables.tidy import tidy_csv
from statlib._tables.tidy import write_csv as write_csv_text
from statlib._tables.xlsx import write_workbook
from statlib.errors import ConfigError, RenderError
from statlib.render.formats import Document

__all__ = ["write_csv", "write_xlsx"]

EDITION_NAMES = {"internal": "内部版", "public": "公开版"}
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")  # characters Excel refuses in a sheet name


def _tables(doc: Document, what: str) -> tuple[Table, ...]:
    name = doc.notebook.name
    if doc.masthead.edition not in EDITION_NAMES:
        raise RenderError(
            f"{name}: the {doc.masthead.edition} edition has no {what} download (its figures "
            "are masked); ship the 附表 with the public edition"
        )
    if not doc.tables:
        raise RenderError(
            f"{name}: no table to download as {what} — the notebook shows no statlib Table "
            f"(doc.table(...), tables.Table(...)); drop {what} from the formats of this "
            "publication, or display the table as the last expression of a cell"
        )
    return doc.tables


def _period(doc: Document) -> str | None:
    """The run's period in ISO form; None if the run has none or an unparsable one (then the
    downloads carry no period, rather than a guessed one)."""
    from statlib import periods

    if doc.period is None:
        return None
    try:
        return str(periods.parse(doc.period, where="the run's period"))
    except ConfigError:
        return None


def write_xlsx(doc: Document, path: Path) -> None:
    """The document's tables as one workbook (see the module docstring)."""
    from statlib import periods

    tables = _tables(doc, "xlsx")
    iso = _period(doc)
    head = doc.masthead
    edition = EDITION_NAMES[head.edition]
    if head.edition == "internal" and head.classification:
        edition += f"（{head.classification}）"
    meta = {
        "标题": f"《{head.series_title}》{head.issue_label or ''}附表",
        "文档": head.title,
        "发布单位": head.unit,
        "时期": periods.label(iso, cumulative=True, with_year=True, combined=True) if iso else "",
        "发布日期": head.date_label or "",
        "版本": edition,
    }
    names: dict[str, int] = {}
    sheets: list[tuple[str, Table]] = []
    for table in tables:  # the same title twice gets 主要指标_2 (Excel sheet names are unique)
        base = (f"表{table.number} " if table.number else "") + table.title
        base = _BAD_SHEET.sub("_", base)[:29]
        names[base] = names.get(base, 0) + 1
        sheets.append((base if names[base] == 1 else f"{base}_{names[base]}", table))
    write_workbook(sheets, path, meta)


def write_csv(doc: Document, path: Path) -> list[Path]:
    """Each table's tidy CSV (see the module docstring); returns the files written."""
    tables = _tables(doc, "csv")
    files = (
        [path]
        if len(tables) == 1
        else [path.with_name(f"{path.stem}-{i}{path.suffix}") for i in range(1, len(tables) + 1)]
    )
    period = _period(doc)
    for table, file in zip(tables, files, strict=True):
        write_csv_text(tidy_csv(table, period=period), file)
    return files
