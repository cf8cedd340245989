"""The tidy grid a download carries: one header row, numbers as numbers, symbols in a flag column.

XLSX table sheets and CSV downloads are drawn from this grid, so ``pandas.read_excel`` and
``pandas.read_csv`` give the real column names and numeric dtypes. A value column whose cells
include a symbol (``…`` suppressed or below the unit shown) or literal text gets a column
``<name>_标志`` beside it holding that symbol; the value cell itself stays empty.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from statlib._tables.layout import layout
from statlib._tables.spec import Table
from statlib.errors import ConfigError

FLAG_SUFFIX = "_标志"

TidyValue = str | int | float | None


@dataclass(frozen=True)
class TidyColumn:
    name: str
    kind: str  # "stub", "unit", "num", "flag"
    decimals: int = 0


@dataclass(frozen=True)
class Tidy:
    columns: tuple[TidyColumn, ...]
    rows: tuple[tuple[TidyValue, ...], ...]
    levels: tuple[int, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _label(table: Table, index: int) -> str:
    row = table.body[index]
    text = ("#" if row.sub_item else "") + row.label
    if row.footnote:
        text += row.footnote
    if row.break_:
        text += f" {table.break_symbol}"
    return text


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out: list[str] = []
    for name in names:
        n = seen.get(name, 0)
        seen[name] = n + 1
        out.append(name if n == 0 else f"{name}_{n + 1}")
    return out


def tidy(table: Table) -> Tidy:
    """The table as a flat grid: stub label (no indent; the level is kept apart), unit, and per
    value column its number (int when shown without decimals) plus, where needed, a flag."""
    lay = layout(table)
    stub = lay.stub_columns
    flagged = [
        any(row.cells[c].kind in ("symbol", "text") for row in lay.rows)
        for c in range(stub, lay.ncols)
    ]
    decimals = [
        max((row.cells[c].decimals for row in lay.rows if row.cells[c].kind == "num"), default=0)
        for c in range(stub, lay.ncols)
    ]
    names: list[str] = [lay.flat_header[0]]
    kinds: list[tuple[str, int]] = [("stub", 0)]
    if stub > 1:
        names.append(lay.flat_header[1])
        kinds.append(("unit", 0))
    for i, c in enumerate(range(stub, lay.ncols)):
        names.append(lay.flat_header[c])
        kinds.append(("num", decimals[i]))
        if flagged[i]:
            names.append(lay.flat_header[c] + FLAG_SUFFIX)
            kinds.append(("flag", 0))
    columns = tuple(TidyColumn(n, k, d) for n, (k, d) in zip(_unique(names), kinds, strict=True))
    rows: list[tuple[TidyValue, ...]] = []
    for r, row in enumerate(lay.rows):
        values: list[TidyValue] = [_label(table, r)]
        if stub > 1:
            values.append(row.cells[1].text or None)
        for i, c in enumerate(range(stub, lay.ncols)):
            cell = row.cells[c]
            number: TidyValue = None
            if cell.kind == "num" and cell.value is not None:
                number = int(cell.value) if decimals[i] == 0 else float(cell.value)
            values.append(number)
            if flagged[i]:
                values.append(cell.text if cell.kind in ("symbol", "text") else None)
        rows.append(tuple(values))
    return Tidy(columns, tuple(rows), tuple(r.level for r in table.body))


def _iso(value: str, where: str) -> str:
    from statlib import periods

    return str(periods.parse(value, where=where))


def tidy_csv(
    table: Table,
    *,
    period: str | None = None,
    row_periods: Sequence[str] | None = None,
    cumulative: bool = True,
) -> str:
    """The download CSV: one header row, numbers plain (no thousands separators), a
    ``<列>_标志`` column for symbols. ``period`` (the table's period, e.g. ``2023-11``) adds
    ``period`` (ISO: ``2023-11``, ``2023Q3``, ``2023``) and ``period_label`` (``2023年1—11月``)
    columns; ``row_periods`` (one ISO period per row, for a table whose rows are periods) adds
    ``period`` before the Chinese label. Text only: write it with a BOM (``write_csv``)."""
    from statlib import periods

    grid = tidy(table)
    head: list[str] = []
    lead: list[list[str]] = [[] for _ in grid.rows]
    if row_periods is not None:
        if len(row_periods) != len(grid.rows):
            raise ConfigError(
                f"tidy_csv: row_periods has {len(row_periods)} periods for {len(grid.rows)} rows "
                f"of table {table.title!r}; give one period per row"
            )
        head.append("period")
        for out, p in zip(lead, row_periods, strict=True):
            out.append(_iso(p, "tidy_csv row_periods"))
    if period is not None:
        iso = _iso(period, "tidy_csv period")
        text = periods.label(iso, cumulative=cumulative, with_year=True, combined=True)
        head += ["period", "period_label"] if row_periods is None else ["period_label"]
        for out in lead:
            out.extend([iso, text] if row_periods is None else [text])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(head + [_safe(n) for n in grid.names])
    for out, values in zip(lead, grid.rows, strict=True):
        writer.writerow(
            out
            + ["" if v is None else v if isinstance(v, int | float) else _safe(v) for v in values]
        )
    return buf.getvalue()


def _safe(text: str) -> str:
    """A text cell starting like a formula gets a leading apostrophe (never runs in Excel)."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def write_csv(text: str, path: str | Path) -> None:
    """Write download CSV text as UTF-8 with a BOM, which Excel on Chinese Windows needs to
    read it as UTF-8 (pandas and Python's ``utf-8-sig`` read it unchanged)."""
    Path(path).write_bytes(("\ufeff" + text).encode("utf-8"))
