"""Panel files: one row per region and period, one column per indicator, units in the headers.

The layout of bureau tables and of the panels built from NBS exports for theses::

    地区,年份,地区生产总值(亿元),年末常住人口（万人）
    北京市,2023,47353.7,2185.8

A region column (a code or a name: ``地区代码``, ``地区``, ``省份``, ``region`` …; a code column
wins over a name column), a period column (``年份``, ``时间``, ``period`` …; any period form
:mod:`statlib.periods` parses: ``2023``, ``2023年``, ``2023-01``, ``2023年第一季度``) and one
column per indicator whose header ends with its unit, in ASCII or full-width brackets
(``(亿元)``, ``（万人）``, ``(单位：亿元)``) or after an underscore (``GDP_亿元``). Indicators are
named by code, name or alias and resolved, like the other readers', against the catalogue at load
(a typo is refused with the closest names, a unit that contradicts the catalogue is refused).
An empty cell is not available (no observation), as in the NBS and wide readers. An NBS export
of regions as rows and indicators as columns for one period (``时间：2023年`` above the table, no
period column) is such a panel too; its other header lines (``发布时间：`` gives the vintage's
publication date) and its ``注``/``数据来源`` footer are read as the nbs reader reads them.

>>> indicator_header("年末常住人口（万人）")
('年末常住人口', '万人')
>>> indicator_header("GDP_亿元")
('GDP', '亿元')
>>> indicator_header("固定资产投资（不含农户）(单位：亿元)")
('固定资产投资（不含农户）', '亿元')
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd

from statlib import periods
from statlib.errors import ConfigError, InputError
from statlib.fsio import sha256_file
from statlib.ingest import long
from statlib.ingest.base import (
    BATCH_COLUMNS,
    Batch,
    check_header,
    check_width,
    norm,
    published_date,
    register_reader,
)
from statlib.ingest.limits import limits
from statlib.ingest.rows import Rows, csv_rows, sniff_delimiter, xlsx_rows
from statlib.ingest.wide import split_unit

__all__ = ["PERIOD_HEADS", "REGION_HEADS", "from_rows", "indicator_header", "read_panel"]

#: Headers of the region column, codes first (a code column wins over a name column).
REGION_HEADS = (
    "地区代码",
    "region_code",
    "行政区划代码",
    "地区",
    "地区名称",
    "region",
    "region_name",
    "省份",
    "省市",
    "province",
)
#: Headers of the period column.
PERIOD_HEADS = ("年份", "年度", "年", "时间", "时期", "期别", "报告期", "period", "year")
_LONG_ONLY = {a for role in ("indicator", "value", "flags") for a in long.ALIASES[role]}
_BRACKET = re.compile(
    r"^(?P<name>.+?)\s*[（(]\s*(?:单位\s*[：:]\s*)?(?P<unit>[^()（）]*?)\s*[)）]$"
)
_UNDERSCORE = re.compile(r"^(?P<name>.+)_(?P<unit>[^_]+)$")
_FOOT = re.compile(r"^(注|数据来源)[：:]")
_META = re.compile(r"^(数据库|指标|地区|时间|发布时间|发布日期)[：:](.*)$")  # NBS header lines
_HEADER_HINT = (
    "end every indicator header with its unit in brackets: 地区生产总值(亿元), 年末常住人口（万人）"
)


def _is_unit(text: str) -> bool:
    """Whether ``text`` is a unit the readers know (亿元, 万人, %, 上年=100 …)."""
    return bool(text) and split_unit(f"x({text})") == ("x", text)


def indicator_header(header: str) -> tuple[str, str]:
    """The indicator and the unit of a panel column header, or ``(name, "")`` without a unit.

    A trailing bracket that is not a unit (``(不含农户)``) is part of the name; the unit is
    compared in NFKC form (full-width ``％`` is ``%``).
    """
    text = header.strip()
    m = _BRACKET.match(text)
    if m:
        unit = unicodedata.normalize("NFKC", m["unit"]).strip()
        if _is_unit(unit):
            return m["name"].strip(), unit
    m = _UNDERSCORE.match(text)
    if m:
        unit = unicodedata.normalize("NFKC", m["unit"]).strip()
        if _is_unit(unit):
            return m["name"].strip(), unit
    return text, ""


class PanelBatch(Batch):
    """A panel's batch: an indicator is written once, in its column's header (row and column of
    messages about it)."""

    def locate(self, role: str, value: str) -> tuple[int | None, str | None]:
        if role == "indicator":
            for name, at in self.unit_at.items():
                if norm(name) == norm(value):
                    return at
        return super().locate(role, value)

    def error_at(self, role: str, value: str, problem: str, hint: str = "") -> InputError:
        """The error of a region or period cell, naming the file's header of its column."""
        row, column = self.locate(role, value)
        return self.error(problem, row=row, column=column or role, hint=hint)


def _role_column(header: list[str], heads: tuple[str, ...]) -> int | None:
    low = [h.strip().lower() for h in header]
    for alias in heads:  # the first alias present wins (codes before names)
        if alias in low:
            return low.index(alias)
    return None


def _canon(text: str) -> str:
    try:
        return str(periods.parse(norm(text)))
    except ConfigError:
        return norm(text)


def _meta(numbered: list[tuple[int, list[str]]]) -> tuple[dict[str, tuple[str, int]], int]:
    """The NBS header lines above the table (``数据库：…``, ``时间：2023年``) as key → (text,
    line), and how many lines they take."""
    out: dict[str, tuple[str, int]] = {}
    n = 0
    for line, row in numbered:
        cells = [c.strip() for c in row if c.strip()]
        m = _META.match(cells[0]) if len(cells) == 1 else None
        if m is None:
            break
        out[m[1]] = (m[2].strip(), line)
        n += 1
    return out, n


Table = tuple[int, list[str], list[tuple[int, list[str]]], str, dict[str, tuple[str, int]]]


def _table(rows: Rows, display: str) -> Table:
    """The header line and cells, the numbered data rows, the footer note (注/数据来源) and the
    NBS header lines."""
    numbered = [(i, row) for i, row in enumerate(rows, 1) if any(c.strip() for c in row)]
    meta, n = _meta(numbered)
    numbered = numbered[n:]
    if not numbered:
        raise InputError("the file is empty", file=display, hint="export the data again")
    head_line, header = numbered[0]
    header = list(header)
    while header and not header[-1]:
        header.pop()
    body: list[tuple[int, list[str]]] = []
    notes: list[str] = []
    in_footer = False
    for line, row in numbered[1:]:
        cells = [c for c in row if c]
        if len(cells) == 1 and (in_footer or _FOOT.match(cells[0])):
            in_footer = True  # 注：… and its continuation lines; 数据来源 is not kept
            if not cells[0].startswith("数据来源"):
                notes.append(cells[0])
            continue
        if in_footer:
            raise InputError(
                "table rows after the footer (注/数据来源) lines",
                file=display,
                row=line,
                column=header[0] or "#1",
                hint="keep notes below the table only",
            )
        body.append((line, row))
    if not body:
        raise InputError(
            "the table has a header but no data rows",
            file=display,
            row=head_line,
            hint="export the data again",
        )
    return head_line, header, body, "\n".join(notes), meta


def _fixed_period(meta: dict[str, tuple[str, int]], display: str) -> str | None:
    """The one period an NBS export's ``时间：2023年`` line names (a table without a period
    column: regions as rows, indicators as columns), or None without such a line."""
    if "时间" not in meta:
        return None
    text, line = meta["时间"]
    try:
        return str(periods.parse(norm(text)))
    except ConfigError:
        raise InputError(
            f"the 时间 line names {text!r}, not one period, and the table has no period column",
            file=display,
            row=line,
            column="时间",
            hint="export one period (时间：2023年) or add a column 年份 to every row",
        ) from None


def _published(meta: dict[str, tuple[str, int]], display: str) -> dt.date | None:
    """The publication date of a ``发布时间：`` (or ``发布日期：``) line above the table, if any."""
    for key in ("发布时间", "发布日期"):
        if key in meta:
            text, line = meta[key]
            return published_date(text, display, line, key)
    return None


def _missing(role: str, heads: tuple[str, ...], display: str, row: int, hint: str) -> InputError:
    return InputError(
        f"missing the {role} column (headed {', '.join(heads[:6])} …)",
        file=display,
        row=row,
        column=role,
        hint=hint,
    )


def _indicators(
    header: list[str], skip: set[int], display: str, head_line: int
) -> dict[int, tuple[str, str]]:
    """Column index → (indicator, unit) of every indicator column; refuses a header without a
    unit, an unknown unit and one indicator in two columns."""
    out: dict[int, tuple[str, str]] = {}
    seen: dict[str, int] = {}
    for i, head in enumerate(header):
        if i in skip:
            continue
        name, unit = indicator_header(head)
        if not unit:
            m = _BRACKET.match(head.strip())  # a bracket that is not a unit
            raise InputError(
                f"unknown unit {m['unit']!r} in the header {head!r}"
                if m
                else f"the header {head!r} has no unit",
                file=display,
                row=head_line,
                column=head,
                hint=_HEADER_HINT
                + " (units such as 亿元, 万元, 元, 万人, 人, %, 上年=100; a bracket that is part "
                "of the name keeps its place: 固定资产投资(不含农户)(亿元))",
            )
        key = norm(name)
        if key in seen:
            raise InputError(
                f"indicator {name!r} appears twice (columns {seen[key] + 1} and {i + 1})",
                file=display,
                row=head_line,
                column=head,
                hint="keep one column per indicator: delete or rename one of them",
            )
        seen[key] = i
        out[i] = (name, unit)
    if not out:
        raise InputError(
            "the table has no indicator column",
            file=display,
            row=head_line,
            hint="add one column per indicator after the region and period: " + _HEADER_HINT,
        )
    return out


def from_rows(rows: Rows, path: Path, display: str, digest: str) -> Batch:
    """Read a panel (rows of cells, from a CSV or a workbook) into a batch."""
    head_line, header, body, note, meta = _table(rows, display)
    check_header(header, display, head_line)
    reg = _role_column(header, REGION_HEADS)
    per = _role_column(header, PERIOD_HEADS)
    fixed = _fixed_period(meta, display) if per is None else None
    if reg is None:
        raise _missing(
            "region",
            REGION_HEADS,
            display,
            head_line,
            "add a column 地区 (a region name or code) to every row",
        )
    if per is None and fixed is None:
        raise _missing(
            "period", PERIOD_HEADS, display, head_line, "add a column 年份 (2023, 2023年, 2023-01…)"
        )
    names = {i for i, h in enumerate(header) if h.strip().lower() in REGION_HEADS}  # and a code
    columns = _indicators(header, names | ({per} if per is not None else set()), display, head_line)
    period_head = header[per] if per is not None else "时间"
    seen: dict[tuple[str, str], int] = {}
    records = []
    for line, row in body:
        check_width(row, header, display, line)
        region = row[reg] if reg < len(row) else ""
        period = fixed or (row[per] if per is not None and per < len(row) else "")
        for i, what in ((reg, "region"), (per, "period")):
            if i is not None and not (row[i] if i < len(row) else ""):
                raise InputError(
                    f"the {what} is empty",
                    file=display,
                    row=line,
                    column=header[i],
                    hint=f"fill in the {what} of every row",
                )
        key = (norm(region), _canon(period))
        if key in seen:
            raise InputError(
                f"region {region!r} and period {key[1]} appear twice (rows {seen[key]} and {line})",
                file=display,
                row=seen[key],
                column=period_head,
                hint="keep one row per region and period (two spellings of one period or "
                "region are one key)",
            )
        seen[key] = line
        for i, (name, _) in columns.items():
            cell = row[i] if i < len(row) else ""
            if cell:  # empty = not available
                rec = {"indicator": name, "region": region, "period": period, "value": cell}
                records.append({**rec, "_row": line, "_col": header[i]})
    if not records:
        raise InputError("the table holds no values", file=display, row=head_line)
    frame = pd.DataFrame(records)
    for col in BATCH_COLUMNS:
        if col not in frame:
            frame[col] = ""
    frame = long._numbers(frame, display)
    return PanelBatch(
        file=display,
        path=path,
        sha256=digest,
        reader="panel",
        frame=frame,
        note=note,
        units={name: unit for name, unit in columns.values()},
        unit_at={name: (head_line, header[i]) for i, (name, _) in columns.items()},
        columns={"region": header[reg], "period": period_head},
        published=_published(meta, display),
    )


def read_panel(path: Path, display: str) -> Batch:
    """Read a panel CSV (UTF-8 or GB18030) or XLSX workbook (first visible sheet)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = xlsx_rows(path, display)
    else:
        rows = csv_rows(path, display)
    return from_rows(rows, path, display, sha256_file(path))


# ---- sniffing ------------------------------------------------------------------------------


def looks_panel(rows: Rows) -> bool:
    """Whether the first rows of a file are a panel's: a region column and a period column, or
    one of them beside indicator columns with units (so that a panel lacking one is refused as
    such), and no column of the long format (指标, value …). A table of periods as rows without
    regions whose periods do not repeat is a wide table (one region), not a panel."""
    filled = [[c.strip() for c in r] for r in rows if any(c.strip() for c in r)]
    meta, n = _meta(list(enumerate(filled, 1)))
    if "指标" in meta:  # an NBS export of one indicator: the nbs reader's
        return False
    filled = filled[n:]
    if len(filled) < 2:
        return False
    header = filled[0]
    low = {h.lower() for h in header}
    if low & _LONG_ONLY or len(header) < 2:
        return False
    reg, per = _role_column(header, REGION_HEADS), _role_column(header, PERIOD_HEADS)
    if reg is not None and per is not None:
        return True
    with_unit = any(indicator_header(h)[1] for h in header)
    if reg is not None:
        return with_unit
    if per is None or not with_unit:
        return False
    labels = [_canon(r[per]) for r in filled[1:] if per < len(r) and r[per]]
    return len(labels) != len(set(labels))  # periods repeat: regions are missing


def _csv_head(head: str) -> Rows:
    lines = [line for line in head.splitlines() if line.strip()][:20]
    if not lines:
        return []
    delimiter = sniff_delimiter(lines[0])
    try:
        return [list(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)]
    except csv.Error:
        return []


def _xlsx_head(path: Path, n: int = 20) -> Rows:
    """The first ``n`` rows of the first visible sheet (for sniffing only: any failure reads as
    no rows, and the workbook reader then names the problem)."""
    try:
        with zipfile.ZipFile(path) as zf:
            if sum(info.file_size for info in zf.infolist()) > limits().max_bytes:
                return []
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
        try:
            ws = next(w for w in wb.worksheets if w.sheet_state == "visible")
            return [
                ["" if v is None else str(v) for v in row]
                for row in ws.iter_rows(max_row=n, max_col=64, values_only=True)
            ]
        finally:
            wb.close()
    except Exception:  # a damaged or hostile file: not sniffed here
        return []


def _sniff(path: Path, head: str) -> bool:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return looks_panel(_xlsx_head(path))
    return looks_panel(_csv_head(head))


register_reader(
    "panel",
    _sniff,
    read_panel,
    "panel: one row per region and period, one column per indicator with its unit "
    "(地区,年份,地区生产总值(亿元),…), CSV or XLSX",
    before="xlsx",
)
