"""A table as JSON in the executed notebook, so the renderer can ship it as a download (附表).

``Table._repr_mimebundle_`` adds :data:`TABLE_MIME` beside the Markdown and HTML a notebook
shows: the spec with every number as the exact decimal text it holds, a suppressed cell as
``{"suppressed": true}`` (no number exists to write) and literal text as ``{"text": …}``.
:func:`from_payload` rebuilds the table through the builders, so a payload edited by hand is
checked like any table an analyst writes.

>>> from statlib.tables import Table, SUPPRESSED
>>> t = Table("主要经济指标").columns("绝对量").row("商品零售", [SUPPRESSED], unit="亿元")
>>> from_payload(to_payload(t), "bulletin.ipynb") == t
True
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from statlib._tables.cells import SUPPRESSED, Suppressed, Value
from statlib._tables.spec import OPTIONS, Column, ColumnGroup, Table
from statlib.errors import RenderError

TABLE_MIME = "application/vnd.statlib.table+json"
_VERSION = 1


def _value(v: Value) -> Any:
    if isinstance(v, Suppressed):
        return {"suppressed": True}
    if isinstance(v, str):
        return {"text": v}
    return None if v is None else str(v)


def _column(c: Column) -> dict[str, Any]:
    return {"name": c.name, "decimals": c.decimals}


def to_payload(table: Table) -> dict[str, Any]:
    """The table as plain JSON (see the module docstring)."""
    header = [
        {"group": h.name, "columns": [_column(c) for c in h.columns]}
        if isinstance(h, ColumnGroup)
        else _column(h)
        for h in table.header
    ]
    rows = [
        {
            "label": r.label,
            "values": [_value(v) for v in r.values],
            "unit": r.unit,
            "decimals": list(r.decimals) if isinstance(r.decimals, tuple) else r.decimals,
            "level": r.level,
            "sub_item": r.sub_item,
            "footnote": r.footnote,
            "break": r.break_,
        }
        for r in table.body
    ]
    return {
        "version": _VERSION,
        "title": table.title,
        "options": {k: getattr(table, k) for k in OPTIONS if k != "title"},
        "header": header,
        "rows": rows,
        "notes": list(table.notes),
        "sources": list(table.sources),
    }


def _from_value(v: Any) -> Value:
    if isinstance(v, dict) and v.get("suppressed") is True:
        return SUPPRESSED
    if isinstance(v, dict) and isinstance(v.get("text"), str):
        return str(v["text"])
    if v is None:
        return None
    if isinstance(v, str):
        return Decimal(v)
    raise ValueError(f"a value must be decimal text, null, text or suppressed, got {v!r}")


def _from_column(c: Any) -> Column:
    return Column(str(c["name"]), c.get("decimals"))


def from_payload(data: Any, where: str) -> Table:
    """The table a payload describes; a RenderError naming ``where`` if it is not one."""
    try:
        if not isinstance(data, dict) or data.get("version") != _VERSION:
            raise ValueError(f"not a version-{_VERSION} statlib table")
        table = Table(str(data["title"])).options(**dict(data["options"]))
        header = [
            ColumnGroup(str(h["group"]), tuple(_from_column(c) for c in h["columns"]))
            if "group" in h
            else _from_column(h)
            for h in data["header"]
        ]
        if header:
            table = table.columns(*header)
        for r in data["rows"]:
            decimals = r["decimals"]
            table = table.row(
                str(r["label"]),
                [_from_value(v) for v in r["values"]],
                unit=r.get("unit"),
                decimals=decimals if isinstance(decimals, int) else list(decimals),
                level=r.get("level", 0),
                sub_item=bool(r.get("sub_item", False)),
                footnote=r.get("footnote"),
                break_=bool(r.get("break", False)),
            )
        for note in data.get("notes", []):
            table = table.footnote(str(note))
        for source in data.get("sources", []):
            table = table.source(str(source))
        return table
    except Exception as exc:  # a hand-edited or foreign output: say where, never a traceback
        raise RenderError(
            f"{where}: an output of type {TABLE_MIME} is not a table statlib can read ({exc}); "
            "run the notebook again so its tables are written by this statlib"
        ) from None
