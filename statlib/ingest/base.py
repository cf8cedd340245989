"""What a reader hands the loader, the registry of readers, and reading text of any encoding."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from statlib.errors import InputError
from statlib.store.schema import SOURCE_COLUMNS

__all__ = [
    "Batch",
    "CsvSource",
    "Reader",
    "decode",
    "get_reader",
    "readers",
    "register_reader",
]

# Columns of a batch, in the order the loader stores them.
BATCH_COLUMNS = SOURCE_COLUMNS


@dataclass(frozen=True)
class CsvSource:
    """A long CSV the loader reads in bulk: ``names`` gives each column's role (or ``""``)."""

    path: Path
    names: tuple[str, ...]
    delimiter: str = ","
    header_line: int = 1


@dataclass
class Batch:
    """Observations read from one file, not yet checked against the store.

    Either ``frame`` (columns ``BATCH_COLUMNS`` plus ``_row`` and ``_col``: where each value came
    from, for error messages) or ``csv`` (a long CSV read in bulk) is set.
    ``units`` maps an indicator reference to the unit the file states (``地区生产总值(亿元)``).
    ``value_kind`` is ``"growth"`` when the file's value column holds growth rates of the named
    indicators (``official_yoy_pct``).
    Every indicator and region must be in the catalogue: a name it lacks is refused with the
    closest names (a typo must not start a new series).
    """

    file: str
    path: Path
    sha256: str
    reader: str
    frame: pd.DataFrame | None = None
    csv: CsvSource | None = None
    note: str = ""
    units: dict[str, str] = field(default_factory=dict)
    value_kind: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # role → the file's header, for messages
    #: whether the file may spell a number with ``_`` (``1_000``, which DuckDB would read as
    #: 1000): the bulk reader then reads numbers as text and refuses the spelling
    underscore: bool = True
    unit_at: dict[str, tuple[int, str]] = field(default_factory=dict)  # name → (row, column)
    #: the publication date the file states (a ``发布时间：2024-03-01`` header line), if any
    published: dt.date | None = None

    def error(
        self, problem: str, *, row: int | None = None, column: str | None = None, hint: str = ""
    ) -> InputError:
        return InputError(problem, file=self.file, row=row, column=column, hint=hint)

    def error_at(self, role: str, value: str, problem: str, hint: str = "") -> InputError:
        """The error of a ``value`` of the ``role`` column, at the first row that holds it."""
        row, _ = self.locate(role, value)
        return self.error(problem, row=row, column=role, hint=hint)

    def locate(self, role: str, value: str) -> tuple[int | None, str | None]:
        """The first (row, column) where the ``role`` column holds ``value`` (for messages)."""
        value = norm(value)
        if self.frame is not None:
            hit = self.frame[self.frame[role].map(norm) == value]
            column = self.columns.get(role, role)
            if hit.empty:
                return None, column
            return int(hit["_row"].iloc[0]), str(hit["_col"].iloc[0]) if role == "value" else column
        assert self.csv is not None
        idx = self.csv.names.index(role)
        csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
        skip = self.csv.header_line - 1  # lines before the header (absent from a copy)
        with open(self.csv.path, encoding="utf-8-sig", newline="") as fh:
            for line_no, row in enumerate(
                csv.reader(fh, delimiter=self.csv.delimiter),
                1 + (skip if self.csv.path != self.path else 0),
            ):
                if line_no > self.csv.header_line and len(row) > idx and norm(row[idx]) == value:
                    return line_no, role
        return None, role


Reader = Callable[[Path, str], Batch]
_READERS: dict[str, tuple[Callable[[Path, str], bool], Reader, str]] = {}


def register_reader(
    name: str,
    sniff: Callable[[Path, str], bool],
    read: Reader,
    help: str = "",
    *,
    before: str | None = None,
) -> None:
    """Register a reader: ``sniff(path, head_text)`` says whether it reads the file.

    Readers are sniffed in the order registered; ``before`` puts this one ahead of a reader
    registered earlier (a layout that another reader would misread must be sniffed first).
    """
    _READERS.pop(name, None)
    _READERS[name] = (sniff, read, help)
    if before in _READERS:
        order = list(_READERS)
        order.remove(name)
        order.insert(order.index(before), name)
        for key in order:  # re-insert in the new order
            _READERS[key] = _READERS.pop(key)


def readers() -> dict[str, str]:
    """Registered reader names with their one-line help, in sniffing order."""
    return {name: help for name, (_, _, help) in _READERS.items()}


def get_reader(path: Path, name: str | None = None) -> tuple[str, Reader]:
    """The reader called ``name``, or the first whose sniffer accepts the file."""
    if name is not None:
        if name not in _READERS:
            raise InputError(
                f"unknown reader {name!r}",
                file=str(path),
                hint=f"choose one of: {', '.join(_READERS)}",
            )
        return name, _READERS[name][1]
    head = ""
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls"):
        head = decode(path, limit=8192)[0]
        lines = head.splitlines()
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        sep = _excel_sep(lines[first]) if first is not None else None
        if first is not None and sep is not None:  # Excel's "sep=;": sniff the rest as commas
            rest = lines[first + 1 :]
            head = "\n".join(rest if sep == "," else [line.replace(sep, ",") for line in rest])
    for rname, (sniff, read, _) in _READERS.items():
        if sniff(path, head):
            return rname, read
    raise InputError(
        "no reader recognises this file",
        file=str(path),
        hint=f"pass --reader with one of: {', '.join(_READERS)}",
    )


def _excel_sep(line: str) -> str | None:
    from statlib.ingest.rows import excel_sep

    return excel_sep(line)


def check_header(names: Sequence[str], file: str, row: int, first: int = 1) -> None:
    """Every column of a header named, no name twice; ``first`` is the number of the column
    of ``names[0]``."""
    seen: dict[str, int] = {}
    for i, name in enumerate(names, first):
        if not name:
            raise InputError(
                f"column {i} has no header",
                file=file,
                row=row,
                column=f"#{i}",
                hint="name every column or delete it",
            )
        if name in seen:
            raise InputError(
                f"column {name!r} appears twice (columns {seen[name]} and {i})",
                file=file,
                row=row,
                column=name,
                hint="delete or rename one of them",
            )
        seen[name] = i


def check_width(row: Sequence[str], header: Sequence[str], file: str, line: int) -> None:
    """Refuse a data row with a value beyond the header's last column, naming that column."""
    if len(row) > len(header) and any(row[len(header) :]):
        extra = next(i for i in range(len(header), len(row)) if row[i])
        raise InputError(
            "a value stands in a column without a header",
            file=file,
            row=line,
            column=f"#{extra + 1}",
            hint="add the header or delete it",
        )


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+[\d:]+)?")


def published_date(text: str, file: str, row: int | None, column: str) -> dt.date:
    """The date of a ``发布时间`` / ``发布日期`` line: ``2024-03-01``, ``2024/3/1`` or
    ``2024年3月1日`` (a time after it is ignored); anything else is refused naming the line.

    >>> published_date("2024年1月19日", "f.csv", 1, "发布时间")
    datetime.date(2024, 1, 19)
    """
    m = _DATE.fullmatch(norm(text))
    try:
        if m is None:
            raise ValueError
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise InputError(
            f"{column} {text!r} is not a date",
            file=file,
            row=row,
            column=column,
            hint="write the publication date as 2024-03-01 (or 2024年3月1日)",
        ) from None


def norm(text: object) -> str:
    """A key as the store compares it: NFKC (full-width digits and letters become ASCII),
    stripped."""
    return unicodedata.normalize("NFKC", str(text)).strip()


def digest_of(path: Path) -> tuple[str, bool]:
    """The SHA-256 of a file and whether it holds an underscore byte (read once)."""
    digest = hashlib.sha256()
    underscore = False
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            underscore = underscore or b"_" in chunk
    return digest.hexdigest(), underscore


def decode(path: Path, limit: int | None = None) -> tuple[str, str]:
    """The text of a file and its encoding: UTF-8 (with or without BOM), else GB18030.

    GB18030 is a superset of GBK and GB2312, the encodings of files saved by Chinese Excel and of
    NBS downloads. A file that is neither is rejected with the line of the first bad byte.
    """
    data = path.read_bytes() if limit is None else path.open("rb").read(limit)
    if not data.strip():
        raise InputError("the file is empty", file=str(path), hint="export the data again")
    if data.startswith(b"\xef\xbb\xbf"):
        data, bom = data[3:], True
    else:
        bom = False
    try:
        return data.decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError as exc:
        if limit is not None and exc.start >= len(data) - 4:  # a character cut by the limit
            return data[: exc.start].decode("utf-8"), "utf-8"
        utf8_error = exc
    if bom:
        raise _bad_bytes(path, data, utf8_error, "UTF-8")
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        if limit is not None and exc.start >= len(data) - 4:
            return data[: exc.start].decode("gb18030"), "gb18030"
        # the later error is the one to show: a GBK file fails UTF-8 at its first Chinese
        # character, and GB18030 only where it is damaged (or cut mid-character)
        worst = exc if exc.start > utf8_error.start else utf8_error
        raise _bad_bytes(path, data, worst, "UTF-8 or GB18030/GBK") from exc


def _bad_bytes(path: Path, data: bytes, exc: UnicodeDecodeError, tried: str) -> InputError:
    line = data[: exc.start].count(b"\n") + 1
    # The column: count separators before the bad byte in its line, name it from the header.
    head = data.split(b"\n", 1)[0]
    try:
        header = head.decode("utf-8")
    except UnicodeDecodeError:
        header = head.decode("gb18030", errors="replace")
    delim = max((",", "\t", ";"), key=lambda d: (header.count(d), d == ","))
    field_no = data[data.rfind(b"\n", 0, exc.start) + 1 : exc.start].count(delim.encode())
    names = [c.strip().strip('"') for c in header.split(delim)]
    column = (
        names[field_no]
        if line > 1 and field_no < len(names) and names[field_no]
        else f"#{field_no + 1}"
    )
    return InputError(
        f"bytes {data[exc.start : exc.start + 4]!r} at byte {exc.start} are not valid {tried}",
        file=str(path),
        row=line,
        column=column,
        hint="save the file as UTF-8 (or GB18030) text and load it again",
    )
