"""The linear-programming audit of suppressed tables: the test oracle (TRUST.md §1, figure S2).

For every cell an intruder must not learn — each primary-unsafe cell, printed or not, and each
suppressed one — the audit minimises and maximises its value over everything the public
tables allow: the additivity equations of every table (row sums, column sums, the grand
total; linked tables' equations together, through their shared cells), the published values,
the empty cells (a published count of 0 or a blank pins them to 0) and non-negativity when
no unit value is negative. The feasibility interval [lower, upper] must reach the cell's
protection level (``Rules.protection``) on both sides — below, at most down to the bound —
and a primary cell must never be pinned (width 0), whichever rule made it unsafe.

The audit is independent of the suppressor (``secondary.protect``): it knows only the tables
and what is printed, and answers with ``scipy.optimize.linprog`` (HiGHS).

>>> import pandas as pd
>>> from statlib.disclosure.magnitude import tabulate
>>> units = pd.DataFrame({"r": ["a"] * 7 + ["b"] * 9,
...                       "c": ["x"] + ["y"] * 3 + ["z"] * 3 + ["x", "y", "z"] * 3,
...                       "v": [5.0] + [2.0] * 15})   # (a, x): one unit of 5, unsafe
>>> t = tabulate(units, "r", "c", "v")
>>> printed = t.shown.copy(); printed[0, 0] = False       # primary suppression alone
>>> [(c.label, c.interval) for c in audit(t, printed).failures]   # row total − the rest
[('v[a, x]', (5.0, 5.0))]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import lil_matrix

from statlib.disclosure.magnitude import CellKey, MagnitudeTable
from statlib.disclosure.rules import Rules, configured_rules
from statlib.errors import ConfigError

__all__ = ["AuditResult", "CellAudit", "audit"]

_REL_TOL = 1e-7  # relative to the largest value of the tables: the LP's own accuracy


@dataclass(frozen=True)
class CellAudit:
    """One audited cell: its feasibility interval against its protection level."""

    key: CellKey
    label: str
    table: int  # index of the first table holding the cell
    position: tuple[int, int]
    value: float
    lower: float
    upper: float
    required: float  # protection level, both sides (0 for a secondary cell)
    reasons: tuple[str, ...]  # failing primary rules; () for a secondary cell
    published: bool
    ok: bool

    @property
    def interval(self) -> tuple[float, float]:
        """[lower, upper] as a tuple."""
        return (self.lower, self.upper)

    @property
    def primary(self) -> bool:
        """True when a primary rule makes the cell unsafe."""
        return bool(self.reasons)


@dataclass(frozen=True)
class AuditResult:
    """Every audited cell; ``ok`` when no cell is recoverable below its protection level."""

    cells: tuple[CellAudit, ...]

    @property
    def ok(self) -> bool:
        """True when every audited cell reaches its protection."""
        return all(c.ok for c in self.cells)

    @property
    def failures(self) -> tuple[CellAudit, ...]:
        """The cells recoverable (exactly or within their protection interval)."""
        return tuple(c for c in self.cells if not c.ok)

    def summary(self) -> str:
        """One line for logs and reports."""
        primary = sum(c.primary for c in self.cells)
        return (
            f"{len(self.cells)} cells audited ({primary} primary), "
            f"{len(self.failures)} recoverable below their protection level"
        )


def audit(
    tables: MagnitudeTable | Sequence[MagnitudeTable],
    published: np.ndarray | Sequence[np.ndarray],
    rules: Rules | None = None,
) -> AuditResult:
    """Audit linked ``tables`` given what each prints (``published[i]``: True where the value
    is printed; margins included). Cells sharing a key across tables are one unknown."""
    tables = [tables] if isinstance(tables, MagnitudeTable) else list(tables)
    masks = [published] if isinstance(published, np.ndarray) else list(published)
    if len(masks) != len(tables):
        raise ConfigError(f"audit: {len(tables)} tables but {len(masks)} published masks")
    rules = rules if rules is not None else configured_rules()
    space = _Space(tables, masks)
    scale = max([1.0, *(abs(v) for v in space.value)])
    tol = _REL_TOL * scale
    found = []
    for i, key in enumerate(space.keys):
        t, (r, c) = space.where[key]
        table = tables[t]
        contributions = table.contributions[r][c]
        reasons = rules.reasons(contributions) if len(contributions) else ()
        suppressed = space.shown[i] and not space.printed[i]
        if not reasons and not suppressed:
            continue
        value = space.value[i]
        lower, upper = space.interval(i)
        required = float(rules.protection(contributions)) if reasons else 0.0
        below = min(required, value - space.bounds[i][0]) if reasons else 0.0
        ok = upper - value >= required - tol and value - lower >= below - tol
        if reasons:
            ok = ok and upper - lower > tol
        found.append(
            CellAudit(
                key,
                table.label(r, c),
                t,
                (r, c),
                value,
                lower,
                upper,
                required,
                reasons,
                bool(space.printed[i]),
                bool(ok),
            )
        )
    return AuditResult(tuple(found))


class _Space:
    """The unknowns (one per distinct cell key) and the equations of the linked tables."""

    def __init__(self, tables: list[MagnitudeTable], masks: list[np.ndarray]) -> None:
        index: dict[CellKey, int] = {}
        self.where: dict[CellKey, tuple[int, tuple[int, int]]] = {}
        values: list[float] = []
        shown: list[bool] = []
        printed: list[bool] = []
        nonneg: list[bool] = []
        for t, (table, mask) in enumerate(zip(tables, masks, strict=True)):
            if mask.shape != table.shape:
                raise ConfigError(f"audit: published mask {t} must have shape {table.shape}")
            for r, c in table.cells():
                key = table.key(r, c)
                value = float(table.values[r, c])
                if key not in index:
                    index[key] = len(values)
                    self.where[key] = (t, (r, c))
                    values.append(value)
                    shown.append(False)
                    printed.append(False)
                    nonneg.append(True)
                i = index[key]
                if not np.isclose(values[i], value, rtol=1e-12, atol=1e-9):
                    raise ConfigError(f"audit: linked cell {table.label(r, c)} differs")
                shown[i] = shown[i] or bool(table.shown[r, c])
                printed[i] = printed[i] or bool(mask[r, c])
                nonneg[i] = nonneg[i] and table.nonnegative
        self.keys = list(index)
        self.value = np.array(values)
        self.shown = np.array(shown)
        self.printed = np.array(printed)
        counts = {table.key(r, c): table.counts[r, c] for table in tables for r, c in table.cells()}
        self.bounds: list[tuple[float, float]] = []
        for i, key in enumerate(self.keys):
            if printed[i]:
                self.bounds.append((values[i], values[i]))
            elif counts[key] == 0:  # empty: a count of 0 or a blank says so
                self.bounds.append((0.0, 0.0))
            else:
                self.bounds.append((0.0 if nonneg[i] else -np.inf, np.inf))
        rows: list[list[tuple[int, float]]] = []
        for table in tables:
            for total, parts in table.equations():
                eq = [(index[table.key(*total)], -1.0)]
                eq += [(index[table.key(*p)], 1.0) for p in parts]
                rows.append(eq)
        a_eq = lil_matrix((len(rows), len(self.keys)))
        for k, eq in enumerate(rows):
            for j, coef in eq:
                a_eq[k, j] += coef
        self.a_eq = a_eq.tocsr()
        self.b_eq = np.zeros(len(rows))

    def interval(self, i: int) -> tuple[float, float]:
        """[min, max] of unknown ``i`` over the feasible region."""
        if self.bounds[i][0] == self.bounds[i][1]:
            return self.bounds[i]
        out = []
        for sign in (1.0, -1.0):
            cost = np.zeros(len(self.keys))
            cost[i] = sign
            # scipy-stubs types A_eq as a dense array; HiGHS takes the sparse matrix as it is
            res = linprog(  # type: ignore[call-overload]
                cost, A_eq=self.a_eq, b_eq=self.b_eq, bounds=self.bounds, method="highs"
            )
            if res.status == 3:  # unbounded
                out.append(-np.inf * sign)
            elif res.status != 0:
                raise ConfigError(f"audit: the published tables are inconsistent ({res.message})")
            else:
                out.append(float(res.fun) * sign)
        return (out[0], out[1])
