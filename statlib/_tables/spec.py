"""The immutable table spec: a frozen dataclass whose builder methods return changed copies."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from statlib._tables.cells import Value, check_decimals, check_value
from statlib.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

Key = str | tuple[str, ...]  # a frame column: a name, or a tuple under a MultiIndex
_NUMBER = re.compile(r"^[1-9]\d*-[1-9]\d*$")
#: what ``Table.options`` may change: the title and the display options
OPTIONS = (
    "title",
    "number",
    "title_en",
    "unit",
    "unit_en",
    "stub",
    "unit_header",
    "suppressed_symbol",
    "below_unit_symbol",
    "break_symbol",
    "indent",
    "thousands",
)


@dataclass(frozen=True)
class Column:
    """A leaf column; ``decimals`` (if set) overrides the row's decimals in this column."""

    name: str
    decimals: int | None = None

    def __post_init__(self) -> None:
        _check_text(self.name, "Column name")
        if self.decimals is not None:
            check_decimals(self.decimals, f"Column {self.name!r} decimals")


@dataclass(frozen=True)
class ColumnGroup:
    """A spanning header (当月, 1—11月) over its sub-columns (绝对量, 同比增长(%), 位次)."""

    name: str
    columns: tuple[Column, ...]

    def __post_init__(self) -> None:
        _check_text(self.name, "column group name")
        if not self.columns:
            raise ConfigError(f"column group {self.name!r} needs at least one sub-column")


def col(name: str, decimals: int | None = None) -> Column:
    """A column with its own decimals: ``col("位次", 0)``, ``col("同比增长(%)", 1)``."""
    return Column(name, decimals)


def group(name: str, *columns: str | Column) -> ColumnGroup:
    """A column group: ``group("当月", "绝对量", col("同比增长(%)", 1), col("位次", 0))``."""
    return ColumnGroup(name, tuple(_as_column(c) for c in columns))


@dataclass(frozen=True)
class Row:
    """One indicator row. ``decimals`` is one int or one per column."""

    label: str
    values: tuple[Value, ...]
    unit: str | None = None
    decimals: int | tuple[int, ...] = 1
    level: int = 0
    sub_item: bool = False
    footnote: str | None = None
    break_: bool = False


@dataclass(frozen=True)
class Table:
    """A statistical table (附表, 年鉴表) as an immutable spec; builders return changed copies.

    >>> t = (Table("主要经济指标").columns(group("1—11月", "绝对量", "同比增长(%)"))
    ...      .row("地区生产总值", [1234.56, -5.44], unit="亿元"))
    >>> t.to_frame().iloc[0].tolist()
    ['地区生产总值', '亿元', '1234.6', '-5.4']
    """

    title: str
    number: str | None = None
    title_en: str | None = None
    unit: str | None = None
    unit_en: str | None = None
    stub: str = "指标"
    unit_header: str = "单位"
    suppressed_symbol: str = "…"
    below_unit_symbol: str | None = "…"
    break_symbol: str = "|"
    indent: str = "\u3000"
    thousands: bool = False
    header: tuple[Column | ColumnGroup, ...] = ()
    body: tuple[Row, ...] = ()
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        _check_text(self.title, "Table title")
        if self.number is not None and not (
            isinstance(self.number, str) and _NUMBER.match(self.number)
        ):
            raise ConfigError(
                f"Table number must be 章-序 with a hyphen, e.g. number='2-7' (shown as 表2-7), "
                f"got {self.number!r}"
            )
        for name in ("title_en", "unit", "unit_en", "below_unit_symbol"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ConfigError(f"Table {name} must be a str or None, got {value!r}")
        for name in ("stub", "unit_header", "suppressed_symbol", "break_symbol", "indent"):
            if not isinstance(getattr(self, name), str):
                raise ConfigError(f"Table {name} must be a str, got {getattr(self, name)!r}")
        if self.unit_en is not None and self.unit is None:
            raise ConfigError(
                "Table unit_en needs unit: give the Chinese unit too, e.g. unit='亿元'"
            )

    # ---- builders -------------------------------------------------------------------------

    def options(self, **changes: Any) -> Table:
        """A copy with display options changed, e.g. ``options(suppressed_symbol="*")``."""
        unknown = sorted(set(changes) - set(OPTIONS))
        if unknown:
            raise ConfigError(f"Table.options: unknown option(s) {unknown}; use {sorted(OPTIONS)}")
        return dataclasses.replace(self, **changes)

    def columns(
        self, *spec: str | Column | ColumnGroup | dict[str, Sequence[str | Column]]
    ) -> Table:
        """Set the value columns: names, ``col(...)``, ``group(...)`` or ``{group: [subs]}``."""
        header: list[Column | ColumnGroup] = []
        for item in spec:
            if isinstance(item, dict):
                header.extend(group(name, *subs) for name, subs in item.items())
            elif isinstance(item, ColumnGroup):
                header.append(item)
            else:
                header.append(_as_column(item))
        if not header:
            raise ConfigError("Table.columns needs at least one column, e.g. columns('2022年')")
        new = dataclasses.replace(self, header=tuple(header))
        for row in self.body:
            new._check_row(row)
        return new

    def row(
        self,
        label: str,
        values: Iterable[object],
        unit: str | None = None,
        decimals: int | Sequence[int] = 1,
        level: int = 0,
        sub_item: bool = False,
        footnote: str | None = None,
        break_: bool = False,
    ) -> Table:
        """A copy with one more row. ``sub_item`` prefixes ``#`` (其中); ``footnote`` is its mark
        (``*``, ``①``); ``break_`` marks a break in comparability (``|``)."""
        _check_text(label, "row label")
        where = f"row {label!r}"
        stored = tuple(check_value(v, f"{where} value {i + 1}") for i, v in enumerate(values))
        if isinstance(decimals, int | bool):
            dec: int | tuple[int, ...] = check_decimals(decimals, f"{where} decimals")
        else:
            dec = tuple(check_decimals(d, f"{where} decimals") for d in decimals)
            if len(dec) != len(stored):
                raise ConfigError(
                    f"{where}: decimals has {len(dec)} entries for {len(stored)} values; "
                    "give one int, or one per value"
                )
        if isinstance(level, bool) or not isinstance(level, int) or level < 0:
            raise ConfigError(f"{where}: level must be an int ≥ 0 (indentation), got {level!r}")
        if unit is not None and not isinstance(unit, str):
            raise ConfigError(f"{where}: unit must be a str such as '亿元', got {unit!r}")
        if footnote is not None and (not isinstance(footnote, str) or not footnote.strip()):
            raise ConfigError(
                f"{where}: footnote must be a mark such as '*' or '①', got {footnote!r}"
            )
        new_row = Row(label, stored, unit, dec, level, bool(sub_item), footnote, bool(break_))
        self._check_row(new_row)
        return dataclasses.replace(self, body=(*self.body, new_row))

    def rows_from(
        self,
        frame: pd.DataFrame,
        *,
        label: Key | None = None,
        unit: Key | None = None,
        decimals: int | Key = 1,
        level: Key | None = None,
        sub_item: Key | None = None,
        footnote: Key | None = None,
    ) -> Table:
        """A copy with one row per frame row. ``label`` (default: the index), ``unit``,
        ``level``, ``sub_item``, ``footnote`` and a non-int ``decimals`` name columns holding
        those (missing entries take the defaults); the other columns are the values.
        Without ``columns()`` set yet, the frame's columns become the header (a two-level
        MultiIndex gives column groups)."""
        import pandas as pd

        meta = {
            "label": label,
            "unit": unit,
            "level": level,
            "sub_item": sub_item,
            "footnote": footnote,
            "decimals": None if isinstance(decimals, int) else decimals,
        }
        for param, name in meta.items():
            if name is not None and name not in frame.columns:
                raise ConfigError(
                    f"rows_from: {param}={name!r} is not a column of the frame; "
                    f"columns are {list(frame.columns)}"
                )
        used = {name for name in meta.values() if name is not None}
        value_columns = [c for c in frame.columns if c not in used]
        table = self
        if not self.header:
            table = table.columns(
                *_header_from(value_columns, isinstance(frame.columns, pd.MultiIndex))
            )
        for index, record in frame.iterrows():

            def get(name: Key | None, default: Any, record: pd.Series = record) -> Any:
                value = default if name is None else record[name]
                return default if _missing(value) else value

            table = table.row(
                str(get(label, index)),
                [record[c] for c in value_columns],
                unit=_optional_text(get(unit, None)),
                decimals=decimals if isinstance(decimals, int) else int(get(decimals, 1)),
                level=int(get(level, 0)),
                sub_item=bool(get(sub_item, False)),
                footnote=_optional_text(get(footnote, None)),
            )
        return table

    def footnote(self, text: str) -> Table:
        """A copy with one more note (附注), e.g. ``footnote("① 含…")``."""
        _check_text(text, "footnote text")
        return dataclasses.replace(self, notes=(*self.notes, text))

    def source(self, text: str) -> Table:
        """A copy with a source line, shown as ``数据来源：{text}``."""
        _check_text(text, "source text")
        return dataclasses.replace(self, sources=(*self.sources, text))

    # ---- renderings -----------------------------------------------------------------------

    @property
    def leaf_columns(self) -> tuple[Column, ...]:
        out: list[Column] = []
        for item in self.header:
            out.extend(item.columns if isinstance(item, ColumnGroup) else (item,))
        return tuple(out)

    def to_html(self) -> str:
        """An escaped HTML ``<table>`` (caption, grouped thead, tbody, tfoot notes)."""
        from statlib._tables.htmltable import to_html

        return to_html(self)

    def _repr_html_(self) -> str:
        from statlib._tables.htmltable import STYLE

        return STYLE + self.to_html()

    def to_pandoc(self) -> str:
        """Pandoc Markdown: a grid table (grouped header with colspans) plus caption and notes."""
        from statlib._tables.markdown import to_markdown

        return to_markdown(self)

    def _repr_markdown_(self) -> str:
        return self.to_pandoc()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The table as JSON (``statlib._tables.payload``) beside the Markdown and HTML
        IPython adds: the renderer ships it as the document's 附表 download."""
        from statlib._tables.payload import TABLE_MIME, to_payload

        return {TABLE_MIME: to_payload(self)}

    def to_csv(self) -> str:
        """CSV text of the formatted cells with a flat header (``当月 绝对量``)."""
        from statlib._tables.text import to_csv

        return to_csv(self)

    def to_frame(self) -> pd.DataFrame:
        """The formatted cells as a DataFrame of str (grouped columns as a MultiIndex)."""
        from statlib._tables.text import to_frame

        return to_frame(self)

    def to_xlsx(
        self, path_or_workbook: str | Path | IO[bytes] | Workbook, sheet: str | None = None
    ) -> Worksheet:
        """Write the table to a sheet: values only, number formats per row, frozen header.

        Given a path or binary file, writes a new workbook with byte-identical output for the
        same table; given an openpyxl Workbook, adds the sheet (save it with ``save_xlsx``).
        """
        from statlib._tables.xlsx import to_xlsx

        return to_xlsx(self, path_or_workbook, sheet)

    def __repr__(self) -> str:
        name = f"表{self.number} " if self.number else ""
        return (
            f"<Table {name}{self.title}: {len(self.body)} rows × {len(self.leaf_columns)} columns>"
        )

    # ---- checks ---------------------------------------------------------------------------

    def _check_row(self, row: Row) -> None:
        n = len(self.leaf_columns)
        if self.header and len(row.values) != n:
            names = [c.name for c in self.leaf_columns]
            raise ConfigError(
                f"row {row.label!r} has {len(row.values)} values but the table has {n} "
                f"columns {names}; give one value per column (None for not available)"
            )


def _as_column(item: object) -> Column:
    if isinstance(item, Column):
        return item
    if isinstance(item, str):
        return Column(item)
    raise ConfigError(
        f"Table.columns: expected a column name, col(...), group(...) or a dict, got {item!r}"
    )


def _header_from(names: list[Any], multi: bool) -> list[Column | ColumnGroup]:
    header: list[Column | ColumnGroup] = []
    for name in names:
        if multi and isinstance(name, tuple) and len(name) == 2 and str(name[1]) != "":
            top, sub = str(name[0]), str(name[1])
            last = header[-1] if header else None
            if isinstance(last, ColumnGroup) and last.name == top:
                header[-1] = ColumnGroup(top, (*last.columns, Column(sub)))
            else:
                header.append(ColumnGroup(top, (Column(sub),)))
        else:
            header.append(Column(str(name[0] if isinstance(name, tuple) else name)))
    return header


def _missing(x: object) -> bool:
    import pandas as pd

    # is_scalar does not narrow ``object`` for the type checker: x is a scalar in the call
    return x is None or (pd.api.types.is_scalar(x) and bool(pd.isna(cast(Any, x))))


def _optional_text(x: object) -> str | None:
    if _missing(x) or x == "":
        return None
    return str(x)


def _check_text(text: object, what: str) -> None:
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{what} must be a non-empty str, got {text!r}")
