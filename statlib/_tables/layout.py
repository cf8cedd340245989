"""The laid-out grid every rendering draws: caption lines, header cells with spans, body cells.

All formatting decisions (rounding, symbols, label marks, note wording) are made here once, so
HTML, Markdown, XLSX, CSV and the DataFrame show the same text in every cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from statlib._tables.cells import Cell, format_value
from statlib._tables.spec import Column, ColumnGroup, Table


@dataclass(frozen=True)
class HeaderCell:
    text: str
    col: int
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class BodyRow:
    cells: tuple[Cell, ...]
    level: int = 0
    sub_item: bool = False
    break_: bool = False


@dataclass(frozen=True)
class Layout:
    caption: tuple[str, ...]
    header: tuple[tuple[HeaderCell, ...], ...]
    flat_header: tuple[str, ...]
    rows: tuple[BodyRow, ...]
    notes: tuple[str, ...]
    numeric: tuple[bool, ...]
    stub_columns: int

    @property
    def ncols(self) -> int:
        return len(self.numeric)


def caption_lines(table: Table) -> tuple[str, ...]:
    """``表2-7 生产总值(亿元)`` and, for the yearbook,
    ``Gross Domestic Product (100 million yuan)``."""
    zh = (f"表{table.number} " if table.number else "") + table.title
    if table.unit:
        zh += f"({table.unit})"
    lines = [zh]
    if table.title_en:
        en = table.title_en + (f" ({table.unit_en})" if table.unit_en else "")
        lines.append(en)
    return tuple(lines)


def note_lines(table: Table) -> tuple[str, ...]:
    """``注：…`` (plain notes numbered when several; marked notes ``①…`` as given), then
    ``数据来源：…``."""
    plain = [n for n in table.notes if not _marked(n)]
    lines: list[str] = []
    number = 0
    for note in table.notes:
        if not _marked(note) and len(plain) > 1:
            number += 1
            note = f"{number}. {note}"
        lines.append(("注：" if not lines else "") + note)
    for text in table.sources:
        lines.append(text if text.startswith("数据来源") else f"数据来源：{text}")
    return tuple(lines)


def _marked(note: str) -> bool:
    first = note[:1]
    return first == "*" or "\u2460" <= first <= "\u2473"


def label_text(table: Table, row_index: int) -> str:
    row = table.body[row_index]
    text = table.indent * row.level + ("#" if row.sub_item else "") + row.label
    if row.footnote:
        text += row.footnote
    if row.break_:
        text += f" {table.break_symbol}"
    return text


def layout(table: Table) -> Layout:
    leaves = table.leaf_columns
    if not leaves:
        # A table with rows but no columns() yet: number the value columns.
        width = max((len(r.values) for r in table.body), default=0)
        leaves = tuple(Column(str(i + 1)) for i in range(width))
    has_unit = any(r.unit for r in table.body)
    stub = [table.stub] + ([table.unit_header] if has_unit else [])
    grouped = any(isinstance(item, ColumnGroup) for item in table.header)
    depth = 2 if grouped else 1

    top: list[HeaderCell] = []
    second: list[HeaderCell] = []
    flat: list[str] = list(stub)
    for i, name in enumerate(stub):
        top.append(HeaderCell(name, i, 1, depth))
    col = len(stub)
    for item in table.header or leaves:
        if isinstance(item, Column):
            top.append(HeaderCell(item.name, col, 1, depth))
            flat.append(item.name)
            col += 1
            continue
        top.append(HeaderCell(item.name, col, len(item.columns), 1))
        for sub in item.columns:
            second.append(HeaderCell(sub.name, col))
            flat.append(f"{item.name} {sub.name}")
            col += 1
    header = (tuple(top), tuple(second)) if grouped else (tuple(top),)

    rows: list[BodyRow] = []
    for r, row in enumerate(table.body):
        cells = [Cell(label_text(table, r), "stub")]
        if has_unit:
            cells.append(Cell(row.unit or "", "unit"))
        for i, value in enumerate(row.values):
            decimals = row.decimals if isinstance(row.decimals, int) else row.decimals[i]
            override = leaves[i].decimals if i < len(leaves) else None
            if override is not None and isinstance(row.decimals, int):
                decimals = override
            cells.append(
                format_value(
                    value,
                    decimals,
                    suppressed=table.suppressed_symbol,
                    below_unit=table.below_unit_symbol,
                    thousands=table.thousands,
                )
            )
        rows.append(BodyRow(tuple(cells), row.level, row.sub_item, row.break_))
    numeric = tuple([False] * len(stub) + [True] * len(leaves))
    return Layout(
        caption_lines(table),
        header,
        tuple(flat),
        tuple(rows),
        note_lines(table),
        numeric,
        len(stub),
    )
