"""CSV and DataFrame renderings of the formatted cells."""

from __future__ import annotations

import csv
import io

import pandas as pd

from statlib._tables.layout import Layout, layout
from statlib._tables.spec import Table

# A text cell starting with one of these would run as a formula when the CSV is opened in a
# spreadsheet; such cells get a leading apostrophe. Numbers (``-5.4``) are left alone.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str, kind: str) -> str:
    if kind != "num" and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def to_csv(table: Table) -> str:
    lay = layout(table)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([_safe(h, "text") for h in lay.flat_header])
    for row in lay.rows:
        writer.writerow([_safe(c.text, c.kind) for c in row.cells])
    return buf.getvalue()


def to_frame(table: Table) -> pd.DataFrame:
    lay = layout(table)
    if len(lay.header) > 1:
        columns: pd.Index = pd.MultiIndex.from_tuples(_ordered(lay))
    else:
        columns = pd.Index(list(lay.flat_header))
    data = [[c.text for c in row.cells] for row in lay.rows]
    return pd.DataFrame(data, columns=columns, dtype=object)


def _ordered(lay: Layout) -> list[tuple[str, str]]:
    """(group, sub-column) per column; stub columns and ungrouped ones get an empty sub."""
    by_col: dict[int, tuple[str, str]] = {}
    for h in lay.header[0]:
        if h.rowspan > 1:
            by_col[h.col] = (h.text, "")
    for h in lay.header[1]:
        group = next(g.text for g in lay.header[0] if g.col <= h.col < g.col + g.colspan)
        by_col[h.col] = (group, h.text)
    return [by_col[c] for c in sorted(by_col)]
