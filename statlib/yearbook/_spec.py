"""A chapter's tables in and out of its executed notebook (``statlib.yearbook`` re-exports
these): ``show`` displays a table with its spec in the output metadata, ``chapter_tables``
reads the specs back, ``export_xlsx`` writes one workbook per table, named by ``xlsx_name``."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from statlib.errors import ConfigError
from statlib.measures import round_half_up

if TYPE_CHECKING:
    from statlib.tables import Table

METADATA_KEY = "statlib.table"  # output metadata holding a displayed table's spec


def show(table: Table) -> None:
    """Display a table in a chapter, its spec kept in the output metadata for the book."""
    from IPython.display import display

    display(table, metadata={METADATA_KEY: to_spec(table)})


def to_spec(table: Table) -> dict[str, Any]:
    """A JSON-able spec of a table with every number rounded half-up as published."""
    from statlib.tables import Column

    spec: dict[str, Any] = {}
    for f in dataclasses.fields(table):
        if f.name not in ("header", "body", "notes", "sources"):
            spec[f.name] = getattr(table, f.name)
    spec["header"] = [
        {"name": c.name, "decimals": c.decimals}
        if isinstance(c, Column)
        else {
            "group": c.name,
            "columns": [{"name": s.name, "decimals": s.decimals} for s in c.columns],
        }
        for c in table.header
    ]
    leaves = table.leaf_columns
    body = []
    for row in table.body:
        row_decimals = (
            row.decimals if isinstance(row.decimals, tuple) else (row.decimals,) * len(row.values)
        )
        places = []
        for i, d in enumerate(row_decimals):
            own = leaves[i].decimals if i < len(leaves) else None  # a column's own decimals
            places.append(own if own is not None else d)
        body.append(
            {
                "label": row.label,
                "values": [_encode(v, d) for v, d in zip(row.values, places, strict=True)],
                "unit": row.unit,
                "decimals": list(row.decimals) if isinstance(row.decimals, tuple) else row.decimals,
                "level": row.level,
                "sub_item": row.sub_item,
                "footnote": row.footnote,
                "break_": row.break_,
            }
        )
    spec["body"] = body
    spec["notes"] = list(table.notes)
    spec["sources"] = list(table.sources)
    return spec


def from_spec(spec: dict[str, Any]) -> Table:
    """The table a spec describes (``to_spec`` back)."""
    from statlib.tables import SUPPRESSED, Table, col, group

    scalars = {k: v for k, v in spec.items() if k not in ("header", "body", "notes", "sources")}
    table = Table(**scalars)
    header = [
        group(h["group"], *(col(c["name"], c["decimals"]) for c in h["columns"]))
        if "group" in h
        else col(h["name"], h["decimals"])
        for h in spec["header"]
    ]
    if header:
        table = table.columns(*header)
    for row in spec["body"]:
        values = [_decode(v, SUPPRESSED) for v in row["values"]]
        decimals = row["decimals"]
        table = table.row(
            row["label"],
            values,
            unit=row["unit"],
            decimals=decimals if isinstance(decimals, int) else tuple(decimals),
            level=row["level"],
            sub_item=row["sub_item"],
            footnote=row["footnote"],
            break_=row["break_"],
        )
    for note in spec["notes"]:
        table = table.footnote(note)
    for source in spec["sources"]:
        table = table.source(source)
    return table


def chapter_tables(notebook: str | Path | Any) -> list[Table]:
    """The tables an executed chapter displayed with ``show``, in order.

    ``notebook`` is a path to an executed ``.ipynb`` or an nbformat NotebookNode/dict.
    """
    import nbformat

    nb = (
        nbformat.read(str(notebook), as_version=4) if isinstance(notebook, str | Path) else notebook
    )
    found = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            spec = output.get("metadata", {}).get(METADATA_KEY)
            if spec is not None:
                found.append(from_spec(spec))
    return found


def xlsx_name(table: Table) -> str:
    """The workbook name of a numbered table: ``02-01.xlsx`` for 表2-1 (sorts in book order)."""
    if not table.number:
        raise ConfigError(f"export_xlsx: table {table.title!r} has no number (章-序)")
    chapter, seq = (int(x) for x in table.number.split("-"))
    return f"{chapter:02d}-{seq:02d}.xlsx"


def export_xlsx(tables: Iterable[Table], folder: str | Path) -> list[Path]:
    """Write one workbook per table into ``folder`` (values only, no formulas; the same
    table gives the same bytes). Returns the paths in order; two tables with one number fail."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for table in tables:
        path = target / xlsx_name(table)
        if path in written:
            raise ConfigError(f"export_xlsx: two tables are numbered {table.number}")
        table.to_xlsx(path, sheet=f"表{table.number}")
        written.append(path)
    return written


def _encode(value: Any, decimals: int) -> Any:
    from statlib.tables import Suppressed

    if value is None:
        return None
    if isinstance(value, Suppressed):
        return {"suppressed": True}
    if isinstance(value, str):
        return {"text": value}
    rounded = round_half_up(value, decimals)
    if rounded == 0 and value != 0:  # below the smallest unit shown: keep it so "…" stays
        rounded = value
    return {"number": format(rounded, "f")}


def _decode(value: Any, suppressed: Any) -> Any:
    if value is None:
        return None
    if value.get("suppressed"):
        return suppressed
    if "text" in value:
        return value["text"]
    return Decimal(value["number"])
