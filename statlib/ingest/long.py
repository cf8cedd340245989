"""The long format: one observation per row (indicator, region, period, value, flags, …).

CSV is read in bulk by DuckDB (the 10-million-row path); XLSX through ``rows.xlsx_rows``.
Headers are recognised in English or Chinese; a file whose only other column is the value may
name it freely (``official_yoy_pct``), and a name that says growth makes it a growth rate.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pandas as pd

from statlib.errors import InputError
from statlib.ingest.base import (
    BATCH_COLUMNS,
    Batch,
    CsvSource,
    check_header,
    decode,
    register_reader,
)
from statlib.ingest.limits import limits
from statlib.ingest.rows import excel_sep, sniff_delimiter, xlsx_rows

__all__ = ["read_long"]

ALIASES: dict[str, tuple[str, ...]] = {
    "indicator": ("indicator", "indicator_code", "指标", "指标代码", "指标名称"),
    "region": ("region", "region_code", "地区代码", "地区", "region_name", "region_zh", "地区名称"),
    "period": ("period", "时间", "时期", "期别", "报告期"),
    "value": ("value", "obs_value", "数值", "值"),
    "flags": ("flags", "flag", "status", "标志"),
    "contributors": ("contributors", "单位数"),
    "top1_share": ("top1_share",),
    "top2_share": ("top2_share",),
}
REQUIRED = ("indicator", "region", "period", "value")
_GROWTH_NAME = re.compile(r"yoy|growth|增长|增速", re.IGNORECASE)


def _roles(header: list[str], file: str, row: int = 1) -> tuple[tuple[str, ...], str]:
    """The role of each header cell, and the value kind its name implies."""
    check_header(header, file, row)
    roles = [""] * len(header)
    for role, names in ALIASES.items():
        for alias in names:  # the first alias present wins (codes before names)
            hits = [i for i, h in enumerate(header) if h.lower() == alias and not roles[i]]
            if hits:
                roles[hits[0]] = role
                break
    kind = ""
    if "value" not in roles:
        spare = [
            i
            for i, r in enumerate(roles)
            if not r and header[i].lower() not in {a for names in ALIASES.values() for a in names}
        ]
        if len(spare) == 1:
            roles[spare[0]] = "value"
            kind = "growth" if _GROWTH_NAME.search(header[spare[0]]) else ""
    missing = [r for r in REQUIRED if r not in roles]
    if missing:
        raise InputError(
            f"missing column {missing[0]!r}",
            file=file,
            row=row,
            column=missing[0],
            hint=f"the long format needs columns {', '.join(REQUIRED)} "
            f"(accepted headers for {missing[0]}: {', '.join(ALIASES[missing[0]])})",
        )
    return tuple(roles), kind


def _sniff(path: Path, head: str) -> bool:
    first = next((line for line in head.splitlines() if line.strip()), "")
    header = [c.strip().strip('"') for c in first.split(sniff_delimiter(first))]
    # Three of the four required columns make a long file that lacks one: read it, so that the
    # error names the missing column instead of "no reader recognises this file".
    cells = {c.lower() for c in header}
    return is_long_header(header) or sum(bool(cells & set(ALIASES[r])) for r in REQUIRED) >= 3


_PEEK = 1 << 16


def read_long(path: Path, display: str, *, transcode: bool = False) -> Batch:
    """Read a long CSV or XLSX file into a batch.

    A UTF-8 CSV is handed to DuckDB as it is: only its head (header, encoding) and tail
    (truncation) are read here, so a 10-million-row file is parsed once, in bulk. A GB18030 file,
    or one with lines before its header, is transcoded to a temporary UTF-8 copy first.
    """
    from statlib.ingest.base import digest_of

    digest, underscore = digest_of(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return from_rows(xlsx_rows(path, display), path, display, digest)
    head_only = not transcode and path.stat().st_size > _PEEK
    text, encoding = decode(path, limit=_PEEK if head_only else None)
    if head_only and not encoding.startswith("utf-8"):
        text, encoding = decode(path)  # GB18030: the whole file, transcoded below
        head_only = False
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise InputError("the file is empty", file=display, hint="export the data again")
    sep = excel_sep(lines[first])
    if sep is not None:  # Excel's "sep=;" line names the delimiter; the header follows
        first = next((i for i, line in enumerate(lines) if i > first and line.strip()), None)
        if first is None:
            raise InputError(
                "the file holds only a sep= line", file=display, row=1, hint="export the data again"
            )
    delimiter = sep or sniff_delimiter(lines[first])
    header = [c.strip().strip('"') for c in lines[first].split(delimiter)]
    _check_header_fields(header, display, first + 1)
    roles, kind = _roles(header, display, first + 1)
    if not any(line.strip() for line in lines[first + 1 :]):
        raise InputError(
            "the file has a header but no data rows",
            file=display,
            row=first + 1,
            hint="export the data again",
        )
    _check_not_truncated(path, display, header, delimiter)
    source = path
    if first or not encoding.startswith("utf-8"):
        if head_only:
            lines = decode(path)[0].splitlines()
        tmp = tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8", delete=False)
        with tmp:
            tmp.write("\n".join(lines[first:]) + "\n")
        source = Path(tmp.name)
    return Batch(
        file=display,
        path=path,
        sha256=digest,
        reader="long",
        value_kind=kind,
        csv=CsvSource(source, roles, delimiter, header_line=1 + first),
        underscore=underscore,
    )


def _check_header_fields(header: list[str], display: str, row: int) -> None:
    limits().check_row(header, file=display, row=row, what="header")


def _check_not_truncated(path: Path, display: str, header: list[str], delimiter: str) -> None:
    """A file cut short ends without a line break, in the middle of a row: a long file whose last
    row lacks its line break is refused (a number cut to its first digits looks whole)."""
    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - _PEEK))
        tail = fh.read()
    if tail.endswith((b"\n", b"\r")):
        return
    last = tail.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    fields = min(last.count(delimiter), len(header) - 1)
    with open(path, "rb") as fh:
        row = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) + 1
    raise InputError(
        "the file ends in the middle of a row, without a line break (truncated?)",
        file=display,
        row=row,
        column=header[fields],
        hint="the copy may have been cut short: export the file again; if it is "
        "complete, add a line break at its end",
    )


def is_long_header(header: list[str]) -> bool:
    cells = {c.lower() for c in header}
    return all(cells & set(ALIASES[r]) for r in ("indicator", "region", "period"))


def from_rows(rows: list[list[str]], path: Path, display: str, digest: str) -> Batch:
    start = next((i for i, r in enumerate(rows) if any(r)), None)
    if start is None:
        raise InputError("the sheet is empty", file=display, hint="export the data again")
    header = rows[start]
    while header and not header[-1]:
        header = header[:-1]
    roles, kind = _roles(header, display)
    records = []
    for offset, row in enumerate(rows[start + 1 :], start + 2):
        if not any(row):
            continue
        rec: dict[str, object] = {"_row": offset, "_col": header[roles.index("value")]}
        for i, role in enumerate(roles):
            if role:
                rec[role] = row[i] if i < len(row) else ""
        records.append(rec)
    if not records:
        raise InputError("the sheet has a header but no data rows", file=display, row=start + 1)
    frame = pd.DataFrame(records)
    for col in BATCH_COLUMNS:
        if col not in frame:
            frame[col] = ""
    frame = _numbers(frame, display)
    return Batch(
        file=display, path=path, sha256=digest, reader="long", frame=frame, value_kind=kind
    )


# A plain number: ASCII digits, one optional sign, point and exponent (no NaN, inf, 1_000, ６).
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
NUMBER_HINT = (
    "write plain numbers in ASCII digits (no units, notes, NaN, inf or _); leave the "
    "cell empty and set flag N where not available"
)


def _numbers(frame: pd.DataFrame, display: str) -> pd.DataFrame:
    """Convert value, contributor and share cells, naming the first cell that is not a number."""
    for col in ("value", "contributors", "top1_share", "top2_share"):
        text = frame[col].astype(str).str.strip()
        grouped = text.str.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")  # 1,234.5 but not 1,2,3
        text = text.where(~grouped, text.str.replace(",", "", regex=False))
        plain = text.str.fullmatch(NUMBER.pattern)
        nums = pd.to_numeric(text.where(plain & (text != "")), errors="coerce")
        bad = ~plain & (text != "")
        if col == "contributors":
            bad |= nums.notna() & (nums != nums.round())
        if bad.any():
            i = int(bad.to_numpy().argmax())  # the first bad cell, by position
            cell = str(frame[col].iloc[i])
            fraction = col == "contributors" and bool(plain.iloc[i])
            raise InputError(
                f"{cell!r} is not a whole number of contributors"
                if fraction
                else f"{cell[:60]!r} is not a number",
                file=display,
                row=int(frame["_row"].iloc[i]),
                column=str(frame["_col"].iloc[i]) if col == "value" else col,
                hint=(
                    "contributors count units: write a whole number such as 3"
                    if fraction
                    else NUMBER_HINT
                ),
            )
        frame[col] = nums
    return frame


register_reader(
    "long",
    _sniff,
    read_long,
    "one observation per row: indicator, region, period, value[, flags, …]",
)
