"""Wide tables — periods as columns or as rows — and the NBS data.stats.gov.cn export format.

An NBS export has header lines (``数据库：分省年度数据``, ``指标：地区生产总值(亿元)``, ``地区：…``,
``时间：最近20年``), a wide table, then footer lines (``注：…``, ``数据来源：国家统计局``). Periods
may run newest first; trailing period columns may be empty; the unit sits in the indicator name.
An export without a ``地区`` line and without regions in the table is national data (全国).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd

from statlib import periods
from statlib.errors import ConfigError, InputError
from statlib.fsio import sha256_file as sha256_of
from statlib.ingest import long
from statlib.ingest.base import (
    BATCH_COLUMNS,
    Batch,
    check_header,
    check_width,
    published_date,
    register_reader,
)
from statlib.ingest.rows import Rows, csv_rows, xlsx_rows

__all__ = ["from_rows", "split_unit"]

_META = re.compile(r"^(数据库|指标|地区|时间|发布时间|发布日期)[：:](.*)$")
_FOOT = re.compile(r"^(注[：:]|数据来源[：:])")
_UNIT = re.compile(
    r"^(?:[万亿千百十]*(?:元|美元|人|吨|千瓦时|平方米|平方公里|公顷|公里|辆|个|家|户|件|台|套|张|床|"
    r"人次|吨公里|人公里)|%|‰|[^()（）]*=100)$"
)
_TRAILING_PAREN = re.compile(r"^(?P<name>.+?)\s*[（(](?P<unit>[^()（）]+)[)）]$")
_REGION_HEAD = {"地区", "region", "地区名称", "省份", "省市"}
_INDICATOR_HEAD = {"指标", "indicator", "指标名称", "项目"}
NATIONAL = "全国"


def split_unit(label: str) -> tuple[str, str]:
    """Split the unit off a label: ``地区生产总值(亿元)`` → (``地区生产总值``, ``亿元``).

    A bracket that is not a unit (``固定资产投资(不含农户)``) stays in the name.
    """
    m = _TRAILING_PAREN.match(label.strip())
    if m and _UNIT.match(m["unit"].strip()):
        return m["name"].strip(), m["unit"].strip()
    return label.strip(), ""


def _is_period(text: str) -> bool:
    try:
        periods.parse(text)
    except ConfigError:
        return False
    return True


def _split(rows: Rows) -> tuple[dict[str, str], list[tuple[int, list[str]]], str]:
    """Header metadata, numbered table rows and the footer note."""
    meta: dict[str, str] = {}
    table: list[tuple[int, list[str]]] = []
    notes: list[str] = []
    in_footer = False
    for line_no, row in enumerate(rows, 1):
        cells = [c for c in row if c]
        if not cells:
            continue
        first = row[0] if row else ""
        if len(cells) == 1 and not table and _META.match(cells[0]):
            m = _META.match(cells[0])
            assert m is not None
            meta[m[1]] = m[2].strip()
            meta[m[1] + "@row"] = str(line_no)  # where it stands, for messages
            continue
        if len(cells) == 1 and (in_footer or _FOOT.match(first)):
            in_footer = True
            if not cells[0].startswith("数据来源"):
                notes.append(cells[0])
            else:
                meta["数据来源"] = cells[0].split("：", 1)[-1]
            continue
        if in_footer:
            raise InputError(
                "table rows after the footer (注/数据来源) lines",
                row=line_no,
                column=(table[0][1][0] if table and table[0][1] else "") or "#1",
                hint="keep notes below the table only",
            )
        table.append((line_no, row))
    return meta, table, "\n".join(notes)


def from_rows(rows: Rows, path: Path, display: str, digest: str, reader: str) -> Batch:
    """Read a wide table (with or without NBS header and footer lines) into a batch."""
    try:
        meta, table, note = _split(rows)
    except InputError as exc:
        exc.file = display
        raise InputError(
            exc.problem, file=display, row=exc.row, column=exc.column, hint=exc.hint
        ) from None
    if not table:
        raise InputError("no table found", file=display, hint="the file holds only header lines")
    head_line, header = table[0]
    while header and not header[-1]:
        header = header[:-1]
    if len(header) < 2:
        raise InputError("the header row has fewer than two columns", file=display, row=head_line)
    check_header(header[1:], display, head_line, first=2)
    body = table[1:]
    if not body:
        raise InputError("the table has a header but no data rows", file=display, row=head_line)
    corner = header[0].strip().lower()
    cols_are_periods = all(_is_period(h) for h in header[1:])
    rows_are_periods = all(_is_period(r[0]) for _, r in body if r and r[0])
    if not cols_are_periods and not rows_are_periods:
        bad = next(h for h in header[1:] if not _is_period(h))
        raise InputError(
            f"cannot find the periods: {bad!r} is not a period and neither is every row label",
            file=display,
            row=head_line,
            column=bad,
            hint="periods are written 2022-11, 2022Q3, 2022, 2022年11月 or 2022年第三季度",
        )
    fixed_ind = meta.get("指标", "")
    fixed_reg = meta.get("地区", "")
    if cols_are_periods:
        label_is_region = corner in _REGION_HEAD or (
            bool(fixed_ind) and corner not in _INDICATOR_HEAD
        )
    else:
        label_is_region = bool(fixed_ind)
    units: dict[str, str] = {}
    unit_at: dict[str, tuple[int, str]] = {}
    if fixed_ind:
        name, unit = split_unit(fixed_ind)
        fixed_ind = name
        unit_at[name] = (int(meta["指标@row"]), "指标")  # where the indicator is named
        if unit:
            units[name] = unit
    records = []
    for line_no, row in body:
        label = row[0].strip() if row else ""
        if not label:
            raise InputError(
                "a data row has no label in its first column",
                file=display,
                row=line_no,
                column=header[0] or "#1",
                hint="fill in the region, indicator or period of the row",
            )
        check_width(row, header, display, line_no)
        for ci, head in enumerate(header[1:], 1):
            cell = row[ci] if ci < len(row) else ""
            if not cell:
                continue  # empty = not available
            if cols_are_periods:
                period, other = head, label
            else:
                period, other = label, head
            rec = {"period": period, "_row": line_no, "_col": head, "value": cell}
            if label_is_region:
                rec["region"], rec["indicator"] = other, fixed_ind
            else:
                name, unit = split_unit(other)
                if unit:
                    units[name] = unit
                    unit_at.setdefault(
                        name,
                        (line_no, header[0] or "#1") if cols_are_periods else (head_line, head),
                    )
                rec["indicator"], rec["region"] = name, fixed_reg or NATIONAL
            records.append(rec)
    if not records:
        raise InputError("the table holds no values", file=display, row=head_line)
    if label_is_region and not fixed_ind:
        raise InputError(
            "the rows are regions but no indicator is named",
            file=display,
            row=head_line,
            hint="add a line 指标：NAME(UNIT) above the table",
        )
    frame = pd.DataFrame(records)
    for col in BATCH_COLUMNS:
        if col not in frame:
            frame[col] = ""
    frame = long._numbers(frame, display)
    batch = Batch(
        file=display,
        path=path,
        sha256=digest,
        reader=reader,
        frame=frame,
        columns={
            (
                ("region" if label_is_region else "indicator") if cols_are_periods else "period"
            ): header[0] or "#1"
        },
        unit_at=unit_at,
        note=note,
        units=units,
        published=_published(meta, display),
    )
    return batch


def _published(meta: dict[str, str], display: str) -> date | None:
    """The publication date of a ``发布时间：`` (or ``发布日期：``) header line, if any."""
    for key in ("发布时间", "发布日期"):
        if key in meta:
            return published_date(meta[key], display, int(meta[key + "@row"]), key)
    return None


def _looks_nbs(rows_head: str) -> bool:
    lines = [line for line in rows_head.splitlines() if line.strip()]
    if not lines:
        return False
    if _META.match(lines[0].strip().strip('"').split(",")[0]):
        return True
    cells = [c.strip().strip('"') for c in lines[0].split(",")]
    return cells[0] in _INDICATOR_HEAD | _REGION_HEAD | {"时间"} and any(
        re.fullmatch(r"\d{4}年(\d{1,2}月)?", c) for c in cells[1:]
    )


def _looks_wide(rows_head: str) -> bool:
    lines = [line for line in rows_head.splitlines() if line.strip()]
    if not lines:
        return False
    cells = [c.strip().strip('"') for c in lines[0].split(",") if c.strip()]
    if len(cells) < 2:
        return False
    if all(_is_period(c) for c in cells[1:]):
        return True  # periods as columns
    labels = [line.split(",")[0].strip().strip('"') for line in lines[1:6]]
    return bool(labels) and all(_is_period(c) for c in labels)  # periods as rows


def read_nbs(path: Path, display: str) -> Batch:
    return from_rows(csv_rows(path, display), path, display, sha256_of(path), "nbs")


def read_wide(path: Path, display: str) -> Batch:
    return from_rows(csv_rows(path, display), path, display, sha256_of(path), "wide")


def read_xlsx(path: Path, display: str) -> Batch:
    """A workbook: long layout if its header names indicator, region and period; else wide."""
    rows = xlsx_rows(path, display)
    head = next((r for r in rows if any(r)), [])
    if long.is_long_header(head):
        return long.from_rows(rows, path, display, sha256_of(path))
    return from_rows(rows, path, display, sha256_of(path), "wide")


register_reader(
    "xlsx",
    lambda p, h: p.suffix.lower() in (".xlsx", ".xlsm"),
    read_xlsx,
    "Excel workbook, first visible sheet, long or wide layout (no formulas, no merges)",
)
register_reader(
    "nbs",
    lambda p, h: _looks_nbs(h),
    read_nbs,
    "NBS data.stats.gov.cn export (数据库/指标/地区/时间 lines, 注/数据来源 footer)",
)
register_reader(
    "wide",
    lambda p, h: _looks_wide(h),
    read_wide,
    "wide table: periods as columns (or as rows), first column regions or indicators",
)
