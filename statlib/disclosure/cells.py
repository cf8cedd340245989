"""Table cells from unit records under disclosure control (TRUST.md §1).

``unit_cells`` aggregates records into ``单位数`` and sums with the primary rules applied;
``protected_cells`` builds the linked tables a chapter prints (by rows, by column, total and
crossed) and protects them together with secondary suppression. The store serves them through
its data layer's view (``Store.unit_cells``, ``Store.protected_cells``): a public or masked run
never sees a record, only these cells.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from statlib.disclosure.magnitude import TOTAL, tabulate
from statlib.disclosure.rules import unsafe
from statlib.disclosure.secondary import protect
from statlib.tables import SUPPRESSED

__all__ = ["UnitTables", "protected_cells", "unit_cells"]


def _as_list(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def unit_cells(
    units: pd.DataFrame,
    by: str | Sequence[str],
    values: Sequence[str],
    edition: str = "public",
    *,
    n: int = 3,
    k: float = 85,
    dominance_n: int = 1,
    p: float | None = None,
) -> pd.DataFrame:
    """Aggregate unit records into table cells: ``单位数`` and the sum of each value column.

    In the public edition a sum whose contributions fail a primary rule
    (``statlib.disclosure.unsafe``) is ``SUPPRESSED``. Only primary suppression: a lone
    suppressed cell may still be recovered from the margins; tables printed with their totals
    use ``protected_cells``, which adds secondary suppression.
    """
    keys = _as_list(by)
    grouped = units.groupby(keys, sort=True)
    out = pd.DataFrame({"单位数": grouped.size()})
    for column in values:
        sums = grouped[column].sum().astype(object)
        if edition != "internal":
            flags = unsafe(grouped[column].apply(list), n=n, k=k, dominance_n=dominance_n, p=p)
            sums = sums.where(~flags, SUPPRESSED)
        out[column] = sums
    return out


@dataclass(frozen=True)
class UnitTables:
    """The cells of a chapter's tables from unit records, protected together (``protected_cells``).

    ``by_rows``, ``by_column`` and ``total`` are frames like ``unit_cells`` gives (``单位数``
    and one column per value); ``cross`` maps a value to its rows × column frame (None where
    no unit is); ``protection`` is the ``statlib.disclosure.Protected`` (None when internal).
    """

    by_rows: pd.DataFrame
    by_column: pd.DataFrame
    total: pd.DataFrame
    cross: dict[str, pd.DataFrame]
    protection: Any = None

    @property
    def hidden(self) -> int:
        """How many printed figures are suppressed (a shared total counted once)."""
        p = self.protection
        return 0 if p is None else len(p.primary) + len(p.secondary)


def protected_cells(
    units: pd.DataFrame,
    rows: str | Sequence[str],
    column: str,
    values: Sequence[str],
    edition: str = "public",
    *,
    cross: Sequence[str] = (),
    rules: Any = None,
) -> UnitTables:
    """The by-``rows`` table, the by-``column`` table, the total and the ``cross`` tables of
    ``values`` from unit records, with full disclosure control in the public edition: the
    primary rules (configured), then secondary suppression so that no unsafe cell can be
    recovered from the margins the chapter prints (``statlib.disclosure.protect``; each
    value's tables linked through their shared totals, audited by linear programming).
    """
    keys = _as_list(rows)
    tabs = [tabulate(units, keys, column, v, "all" if v in cross else "margins") for v in values]
    protection = protect(tabs, rules) if edition != "internal" else None
    frames = [
        protection.frame(i) if protection is not None else t.frame() for i, t in enumerate(tabs)
    ]
    first = tabs[0]
    nr, nc = len(first.rows), len(first.cols)
    row_index = (
        pd.MultiIndex.from_tuples(cast("list[tuple[Hashable, ...]]", list(first.rows)), names=keys)
        if len(keys) > 1
        else pd.Index(first.rows, name=keys[0])
    )  # fmt: skip
    by_rows = pd.DataFrame({"单位数": first.counts[:nr, nc]}, index=row_index)
    by_column = pd.DataFrame(
        {"单位数": first.counts[nr, :nc]}, index=pd.Index(first.cols, name=column)
    )
    total = pd.DataFrame({"单位数": [first.counts[nr, nc]]}, index=["总计"])
    crossed = {}
    for v, t, f in zip(values, tabs, frames, strict=True):
        by_rows[v] = list(f[TOTAL].iloc[:nr])
        by_column[v] = list(f.loc[TOTAL].iloc[:nc])
        total[v] = list(f.iloc[nr : nr + 1, nc])
        if v in cross:
            inner = f.iloc[:nr, :nc].where(t.counts[:nr, :nc] > 0, None)
            crossed[v] = inner.set_axis(row_index, axis=0).rename_axis(columns=column)
    return UnitTables(by_rows, by_column, total, crossed, protection)
