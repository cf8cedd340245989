"""A two-dimensional magnitude table with its margins and the contributions of every cell.

``MagnitudeTable`` holds an (R+1)×(C+1) array: R×C inner cells, the row totals in the last
column, the column totals in the last row and the grand total in the corner, each cell with
the per-unit values it sums (its contributions) and its number of units. ``shown`` marks the
cells some public table prints (a chapter may print only the margins of a cross-table);
cells not shown are unknowns to an intruder, but still bound by the table's equations.

A cell is identified across tables by ``key``: the variable and the (dimension, label) pairs
it is restricted to, margins having fewer pairs. Two tables that share a margin (a county ×
industry and a county × size table share the county totals) share those keys, so the audit
and the suppression treat them as linked.

>>> import pandas as pd
>>> units = pd.DataFrame({"county": ["甲", "甲", "乙"], "ind": ["A", "B", "A"],
...                       "v": [5.0, 3.0, 2.0]})
>>> t = tabulate(units, "county", "ind", "v")
>>> t.values.tolist()
[[2.0, 0.0, 2.0], [5.0, 3.0, 8.0], [7.0, 3.0, 10.0]]
>>> t.key(2, 0)
('v', (('ind', 'A'),))
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from statlib.errors import ConfigError

__all__ = ["TOTAL", "CellKey", "MagnitudeTable", "tabulate"]

TOTAL = "总计"  # the label of the total row and column
CellKey = tuple[str, tuple[tuple[str, Any], ...]]


@dataclass(frozen=True, eq=False)
class MagnitudeTable:
    """Rows × columns of a magnitude with margins; index ``R`` / ``C`` is the total."""

    variable: str
    row_dim: str
    col_dim: str
    rows: tuple[Hashable, ...]
    cols: tuple[Hashable, ...]
    values: np.ndarray  # (R+1, C+1) floats
    counts: np.ndarray  # (R+1, C+1) ints: units in the cell
    contributions: tuple[tuple[np.ndarray, ...], ...]  # [r][c] -> the units' values
    # (R+1, C+1) bools; None (all shown) is replaced in __post_init__, so it is never None after
    shown: np.ndarray = field(default=None)  # type: ignore[arg-type]  # see the line above

    def __post_init__(self) -> None:
        shape = (len(self.rows) + 1, len(self.cols) + 1)
        if self.shown is None:
            object.__setattr__(self, "shown", np.ones(shape, dtype=bool))
        for name in ("values", "counts", "shown"):
            if getattr(self, name).shape != shape:
                raise ConfigError(f"MagnitudeTable.{name} must have shape {shape}")
        if self.row_dim == self.col_dim:
            raise ConfigError("MagnitudeTable: rows and columns need two different dimensions")

    @property
    def shape(self) -> tuple[int, int]:
        """(R+1, C+1): the cells including the margins."""
        return (len(self.rows) + 1, len(self.cols) + 1)

    @property
    def nonnegative(self) -> bool:
        """True when no unit value is negative, so an intruder may assume every cell ≥ 0."""
        return bool((self.values >= 0).all()) and all(
            (c >= 0).all() for row in self.contributions for c in row
        )

    def key(self, r: int, c: int) -> CellKey:
        """The cell's identity across linked tables (variable and its (dimension, label))."""
        pairs = []
        if r < len(self.rows):
            pairs.append((self.row_dim, self.rows[r]))
        if c < len(self.cols):
            pairs.append((self.col_dim, self.cols[c]))
        return (self.variable, tuple(sorted(pairs, key=lambda p: p[0])))

    def label(self, r: int, c: int) -> str:
        """A readable name of the cell for reports: ``value_added[990202, 06]``."""
        row = TOTAL if r == len(self.rows) else self.rows[r]
        col = TOTAL if c == len(self.cols) else self.cols[c]
        return f"{self.variable}[{_text(row)}, {_text(col)}]"

    def cells(self) -> list[tuple[int, int]]:
        """Every (r, c) including the margins, row by row."""
        return [(r, c) for r in range(self.shape[0]) for c in range(self.shape[1])]

    def equations(self) -> list[tuple[tuple[int, int], list[tuple[int, int]]]]:
        """The additivity of the table: each total and the cells it sums."""
        nr, nc = len(self.rows), len(self.cols)
        out = [((r, nc), [(r, c) for c in range(nc)]) for r in range(nr + 1)]
        out += [((nr, c), [(r, c) for r in range(nr)]) for c in range(nc)]
        return out

    def frame(self, mask: np.ndarray | None = None, marker: Any = None) -> pd.DataFrame:
        """The table as a DataFrame with the ``TOTAL`` row and column; cells where ``mask`` is
        True are replaced by ``marker`` (e.g. ``SUPPRESSED``)."""
        data = self.values.astype(object)
        if mask is not None:
            data = np.where(mask, marker, data)
        return pd.DataFrame(
            data, index=[*self.rows, TOTAL], columns=[*self.cols, TOTAL]
        ).rename_axis(index=self.row_dim, columns=self.col_dim)


def tabulate(
    units: pd.DataFrame,
    rows: str | Sequence[str],
    cols: str | Sequence[str],
    value: str,
    shown: Literal["all", "margins"] = "all",
    *,
    row_order: Sequence[Hashable] | None = None,
    col_order: Sequence[Hashable] | None = None,
) -> MagnitudeTable:
    """Sum unit records into a ``MagnitudeTable`` of ``value`` by ``rows`` × ``cols``.

    Several columns as ``rows`` (code and name) give tuple labels. ``shown="margins"`` marks
    only the totals as printed (a chapter showing value added by industry and by county but
    not crossed). Missing values are not contributions.
    """
    rkeys, ckeys = _as_list(rows), _as_list(cols)
    for column in [*rkeys, *ckeys, value]:
        if column not in units.columns:
            raise ConfigError(f"tabulate: unit records have no column {column!r}")
    data = units[units[value].notna()]
    rlabel = _labels(data, rkeys)
    clabel = _labels(data, ckeys)
    row_labels = tuple(row_order) if row_order is not None else tuple(sorted(set(rlabel)))
    col_labels = tuple(col_order) if col_order is not None else tuple(sorted(set(clabel)))
    rindex = {k: i for i, k in enumerate(row_labels)}
    cindex = {k: j for j, k in enumerate(col_labels)}
    outside = {k for k in rlabel if k not in rindex} | {k for k in clabel if k not in cindex}
    if outside:
        raise ConfigError(f"tabulate: units fall outside the given orders: {sorted(outside)[:5]}")
    nr, nc = len(row_labels), len(col_labels)
    bins: list[list[list[float]]] = [[[] for _ in range(nc + 1)] for _ in range(nr + 1)]
    for rl, cl, x in zip(rlabel, clabel, data[value].astype(float), strict=True):
        i, j = rindex[rl], cindex[cl]
        for r, c in ((i, j), (i, nc), (nr, j), (nr, nc)):
            bins[r][c].append(x)
    contributions = tuple(tuple(np.asarray(cell, dtype=float) for cell in row) for row in bins)
    values = np.array([[float(cell.sum()) for cell in row] for row in contributions])
    counts = np.array([[len(cell) for cell in row] for row in contributions])
    mask = np.ones((nr + 1, nc + 1), dtype=bool)
    if shown == "margins":
        mask[:nr, :nc] = False
    elif shown != "all":
        raise ConfigError(f"tabulate: shown must be 'all' or 'margins', got {shown!r}")
    return MagnitudeTable(
        value, "+".join(rkeys), "+".join(ckeys), row_labels, col_labels, values, counts,
        contributions, mask,
    )  # fmt: skip


def _labels(data: pd.DataFrame, keys: list[str]) -> list[Any]:
    """Each unit's label: the value of its one key column, or a tuple of the values (both are
    sorted, so they are ``Any`` rather than ``Hashable``)."""
    if len(keys) == 1:
        return data[keys[0]].tolist()
    return list(zip(*(data[k].tolist() for k in keys), strict=True))


def _as_list(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _text(label: Hashable) -> str:
    return " ".join(map(str, label)) if isinstance(label, tuple) else str(label)
