"""Secondary suppression: hide enough other cells that no primary cell can be recovered.

``protect`` applies the primary rules to every cell of one or more linked tables (margins
included: a county total of two enterprises is as unsafe as an inner cell), suppresses the
unsafe ones that a table prints, then adds complementary suppressions until the LP audit
(``audit.audit``) passes. Totals keep their true values: recomputing a margin without the
hidden cells is no protection when a linked table prints the true total (TRUST.md §1).

The heuristic is the hypercube method of tau-ARGUS (GHMITER) in two dimensions. For a cell
that fails the audit, every rectangle of four cells (the cell, one more row, one more column,
the total row or column counting as a row or column) along which the values can shift while
all sums stay equal is tried: inner corners move ±t alternately; a corner in the total row or
column moves with the cells it sums. The rectangle protects the cell by t up to the smallest
value of a corner that must decrease. Among the rectangles whose shift reaches the protection
level, the cheapest — the least value newly hidden, a total counting ten times and the grand
total only as a last resort — is suppressed; already hidden cells cost nothing, so
suppressions gather in few rows and columns. Every affected row and column thereby holds at
least two suppressions. The audit then runs again, and rounds repeat until it passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from statlib.disclosure.magnitude import CellKey, MagnitudeTable
from statlib.disclosure.oracle import AuditResult, CellAudit, audit
from statlib.disclosure.rules import Rules, configured_rules
from statlib.errors import DisclosureError

__all__ = ["Protected", "protect"]

_MARGIN_COST = 10.0
_GRAND_TOTAL_COST = 1e6


@dataclass(frozen=True)
class Protected:
    """Linked tables after primary and secondary suppression, with the audit that passed."""

    tables: tuple[MagnitudeTable, ...]
    primary: frozenset[CellKey]  # unsafe cells printed by a table, hence suppressed
    secondary: frozenset[CellKey]  # complementary suppressions
    result: AuditResult
    rules: Rules

    def suppressed(self, i: int = 0) -> np.ndarray:
        """Mask of table ``i``: True where a printed cell is suppressed."""
        table = self.tables[i]
        hidden = self.primary | self.secondary
        mask = np.array([[table.key(r, c) in hidden for c in range(table.shape[1])]
                         for r in range(table.shape[0])])  # fmt: skip
        return mask & table.shown

    def published(self, i: int = 0) -> np.ndarray:
        """Mask of table ``i``: True where the value is printed."""
        return self.tables[i].shown & ~self.suppressed(i)

    def frame(self, i: int = 0, marker: Any = None) -> pd.DataFrame:
        """Table ``i`` as printed: suppressed cells as ``marker`` (default ``SUPPRESSED``),
        cells the table does not print as None."""
        from statlib.tables import SUPPRESSED

        table = self.tables[i]
        out = table.frame(self.suppressed(i), SUPPRESSED if marker is None else marker)
        return out.where(pd.DataFrame(table.shown, index=out.index, columns=out.columns), None)

    def figure(self, label: str = "S2") -> str:
        """``S2: N tables, M suppressed cells (P primary, Q secondary), K recoverable``."""
        return (
            f"{label}: {len(self.tables)} tables, {len(self.primary) + len(self.secondary)} "
            f"suppressed cells ({len(self.primary)} primary, {len(self.secondary)} secondary), "
            f"{len(self.result.failures)} recoverable"
        )


def protect(
    tables: MagnitudeTable | Sequence[MagnitudeTable],
    rules: Rules | None = None,
    *,
    max_rounds: int = 50,
) -> Protected:
    """Primary then secondary suppression of linked ``tables`` until the LP audit passes.

    ``rules`` default to the configured ones (``configured_rules``). Raises
    ``DisclosureError`` naming the cells still recoverable after ``max_rounds``.
    """
    tables = (tables,) if isinstance(tables, MagnitudeTable) else tuple(tables)
    rules = rules if rules is not None else configured_rules()
    primary: set[CellKey] = set()
    for table in tables:
        for r, c in table.cells():
            contributions = table.contributions[r][c]
            if table.shown[r, c] and len(contributions) and rules.reasons(contributions):
                primary.add(table.key(r, c))
    secondary: set[CellKey] = set()
    shown = {t.key(r, c) for t in tables for r, c in t.cells() if t.shown[r, c]}
    tried: set[tuple[CellKey, tuple[CellKey, ...]]] = set()
    for _ in range(max_rounds):
        result = audit(tables, _printed(tables, primary | secondary), rules)
        if result.ok:
            return Protected(tables, frozenset(primary), frozenset(secondary), result, rules)
        added = 0
        for cell in sorted(result.failures, key=lambda f: -f.required):
            fresh = _complement(tables, cell, primary | secondary, shown, tried)
            secondary |= fresh - primary
            added += len(fresh)
        if not added and all((f.key, ()) in tried for f in result.failures):
            break
    names = ", ".join(f.label for f in result.failures[:10])
    raise DisclosureError(
        f"secondary suppression: still recoverable after {max_rounds} rounds: {names} — "
        "merge small categories or publish the table at a coarser level"
    )


def _printed(tables: Sequence[MagnitudeTable], hidden: set[CellKey]) -> list[np.ndarray]:
    out = []
    for table in tables:
        keys = np.array([[table.key(r, c) in hidden for c in range(table.shape[1])]
                         for r in range(table.shape[0])])  # fmt: skip
        out.append(table.shown & ~keys)
    return out


def _complement(
    tables: Sequence[MagnitudeTable],
    cell: CellAudit,
    hidden: set[CellKey],
    shown: set[CellKey],
    tried: set[tuple[CellKey, tuple[CellKey, ...]]],
) -> set[CellKey]:
    """The new cells of the cheapest untried rectangle through ``cell`` (may be empty when
    the best rectangle is already hidden but the audit still fails: then it is marked tried
    and the next round takes another)."""
    table = tables[cell.table]
    nr, nc = len(table.rows), len(table.cols)
    a, b = cell.position
    lower = 0.0 if table.nonnegative else -np.inf
    need_up = cell.required
    need_down = min(cell.required, cell.value - lower)
    best: tuple[tuple[float, ...], tuple[CellKey, ...], set[CellKey]] | None = None
    for m in range(nr + 1):
        if m == a:
            continue
        um = -1 if a < nr and m < nr else 1
        for lc in range(nc + 1):
            if lc == b:
                continue
            vl = -1 if b < nc and lc < nc else 1
            corners = [((a, b), 1), ((a, lc), vl), ((m, b), um), ((m, lc), um * vl)]
            if any(table.counts[p] == 0 for p, _ in corners):
                continue  # an empty cell is known to be 0: it cannot move
            keys = tuple(sorted((table.key(*p) for p, _ in corners), key=repr))
            if (cell.key, keys) in tried:
                continue
            up = min([table.values[p] - lower for p, s in corners if s < 0], default=np.inf)
            down = min(table.values[p] - lower for p, s in corners if s > 0)
            # a cell no table prints is unknown already: free, and no suppression
            fresh = {table.key(*p) for p, _ in corners} & shown - hidden
            cost = sum(_cost(table, p) for p, _ in corners if table.key(*p) in fresh)
            enough = up >= need_up and down >= need_down and up + down > 0
            reach = min(
                up / need_up if need_up else np.inf, down / need_down if need_down else np.inf
            )
            rank = (0.0, cost, len(fresh)) if enough else (1.0, -min(reach, 1e12), cost)
            if best is None or rank < best[0]:
                best = (rank, keys, fresh)
    if best is None:
        tried.add((cell.key, ()))
        return set()
    tried.add((cell.key, best[1]))
    return best[2]


def _cost(table: MagnitudeTable, p: tuple[int, int]) -> float:
    r, c = p
    value = abs(float(table.values[r, c])) + 1e-9
    at_margin = (r == len(table.rows)) + (c == len(table.cols))
    return value * (1.0, _MARGIN_COST, _GRAND_TOTAL_COST)[at_margin]
