"""Pandoc Markdown rendering: a grid table pandoc parses into a real Table node.

Grid tables (pandoc ≥ 3) carry row and column spans, so the grouped header (当月 / 1—11月 over
绝对量, 同比增长(%), 位次) arrives in HTML, Typst and DOCX as true header cells with colspan.
Column positions are display columns: CJK characters count two, as in pandoc's reader.
Every text from data is backslash-escaped, so it is read as plain text, never as markup.
"""

from __future__ import annotations

import re
import string

from statlib._tables.cells import display_width
from statlib._tables.layout import Layout, layout
from statlib._tables.spec import Table

_PUNCT = set(string.punctuation)
_SPACE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def escape(text: str) -> str:
    """Plain text as pandoc Markdown: ASCII punctuation escaped, line breaks made spaces."""
    text = _SPACE.sub(" ", text)
    return "".join("\\" + ch if ch in _PUNCT else ch for ch in text)


def _grid(lay: Layout) -> list[list[tuple[int, int, int, int, str]]]:
    """Occupancy: per row and column, (row0, col0, rowspan, colspan, text) of its owner."""
    n = lay.ncols
    nh = len(lay.header)
    grid: list[list[tuple[int, int, int, int, str] | None]] = [
        [None] * n for _ in range(nh + len(lay.rows))
    ]
    for r, header_row in enumerate(lay.header):
        for h in header_row:
            owner = (r, h.col, h.rowspan, h.colspan, escape(h.text))
            for dr in range(h.rowspan):
                for dc in range(h.colspan):
                    grid[r + dr][h.col + dc] = owner
    for i, row in enumerate(lay.rows):
        r = nh + i
        for c, cell in enumerate(row.cells):
            text = cell.text if cell.kind == "num" else escape(cell.text)
            grid[r][c] = (r, c, 1, 1, text)
    return [
        [o if o is not None else (r, c, 1, 1, "") for c, o in enumerate(line)]
        for r, line in enumerate(grid)
    ]


def _widths(grid: list[list[tuple[int, int, int, int, str]]], n: int) -> list[int]:
    widths = [3] * n
    owners = {o for line in grid for o in line}
    for _r, c, _rs, cs, text in owners:
        if cs == 1:
            widths[c] = max(widths[c], display_width(text) + 2)
    for _r, c, _rs, cs, text in owners:
        if cs > 1:
            have = sum(widths[c : c + cs]) + cs - 1
            need = display_width(text) + 2
            if need > have:
                widths[c + cs - 1] += need - have
    return widths


def _rule(widths: list[int], char: str, right: tuple[bool, ...] | None = None) -> str:
    parts = []
    for i, w in enumerate(widths):
        if right is not None and right[i]:
            parts.append(char * (w - 1) + ":")
        else:
            parts.append(char * w)
    return "+" + "+".join(parts) + "+"


def _content(line: list[tuple[int, int, int, int, str]], r: int, widths: list[int]) -> str:
    out = ""
    c = 0
    while c < len(line):
        r0, _c0, _rs, cs, text = line[c]
        span = sum(widths[c : c + cs]) + cs - 1
        shown = text if r0 == r else ""
        out += "|" + (" " + shown).ljust(span - display_width(shown) + len(shown))
        c += cs
    return out + "|"


def _between(grid: list[list[tuple[int, int, int, int, str]]], r: int, widths: list[int]) -> str:
    above, below = grid[r], grid[r + 1]
    dash = [above[c] != below[c] for c in range(len(widths))]
    out = ""
    for b in range(len(widths) + 1):
        left = dash[b - 1] if b > 0 else False
        right = dash[b] if b < len(widths) else False
        if left or right:
            out += "+"
        elif b in (0, len(widths)) or above[b - 1] != above[b]:
            out += "|"
        else:
            out += " "
        if b < len(widths):
            out += ("-" if dash[b] else " ") * widths[b]
    return out


def to_markdown(table: Table) -> str:
    lay = layout(table)
    grid = _grid(lay)
    widths = _widths(grid, lay.ncols)
    nh = len(lay.header)
    lines = [_rule(widths, "-")]
    for r in range(len(grid)):
        lines.append(_content(grid[r], r, widths))
        if r == nh - 1:
            lines.append(_rule(widths, "=", lay.numeric))
        elif r < nh - 1:
            lines.append(_between(grid, r, widths))
        else:
            lines.append(_rule(widths, "-"))
    if not lay.rows:
        # pandoc needs a body row after the header separator.
        lines.append(_content([(nh, c, 1, 1, "") for c in range(lay.ncols)], nh, widths))
        lines.append(_rule(widths, "-"))
    parts = ["\n".join(lines)]
    parts.append("Table: " + "\\\n".join(escape(line) for line in lay.caption))
    parts.extend(escape(line) for line in lay.notes)
    return "\n\n".join(parts) + "\n"
