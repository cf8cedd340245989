"""Secondary suppression of the tables published from the store's aggregates: counties with
their city, parts with their whole, every period (the data portal and the yearbook's county
tables share it, so what one suppresses the other suppresses).

The relations are the project's validation rules (``rules/hierarchy.yaml``: the children of a
parent sum to it for additive levels; ``rules/balance.yaml``: parts sum to the whole). For one
period and one parent, a *balance group* (``gdp`` = ``va_primary`` + ``va_secondary`` +
``va_tertiary``) is a two-dimensional ``MagnitudeTable`` — children × parts, the children's
wholes as row totals, the parent's parts as column totals, the parent's whole in the corner —
and a lone additive indicator is the same with one column (its row total is the cell itself).
Cells carry keys ``(indicator, (("period", p), ("region", r)))``, so tables sharing a cell are
linked wherever they come from, and every period of an indicator is audited together.

A cell's contributions are rebuilt from the aggregates the store keeps (``contributors``,
``top1_share``, ``top2_share``): the two largest units and the rest spread evenly over as few
units as keep the order and the minimum frequency, which gives the primary rules and the
protection levels (``Rules.protection``) exactly for dominance n ≤ 2 and p%. A cell flagged
confidential (``C``) whose aggregates look safe, or that has none, is treated as one unit
(protection level (100/k − 1)·X).

``suppress`` finds the complementary suppressions by mixed-integer programming
(``scipy.optimize.milp``, HiGHS): minimise the value suppressed such that, for each primary
cell and each direction, the published equations admit a deviation reaching its protection
level that moves only suppressed cells (the attacker's LP of ``audit`` written as
feasibility, so the pattern is protected by construction and optimal for that cost). The
LP audit (``audit.audit``) checks every pattern independently; where it would not pass, the
hypercube heuristic (``secondary.protect``) is used instead.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from statlib import config
from statlib.disclosure.magnitude import CellKey, MagnitudeTable
from statlib.disclosure.oracle import AuditResult, audit
from statlib.disclosure.public import suppress_rows, unsafe_observations
from statlib.disclosure.rules import Rules, configured_rules
from statlib.disclosure.secondary import Protected, protect
from statlib.errors import ConfigError, DisclosureError

__all__ = [
    "AggregateTable",
    "Relations",
    "cell_key",
    "components",
    "hidden_cells",
    "milp_protect",
    "public_secondary",
    "relations",
    "suppress",
    "tables_for",
    "unsafe_periods",
]


def cell_key(indicator: str, region: str, period: str) -> CellKey:
    """The identity of one published figure across every table that prints it."""
    return (indicator, (("period", period), ("region", region)))


@dataclass(frozen=True, eq=False)
class AggregateTable(MagnitudeTable):
    """A ``MagnitudeTable`` whose cells have explicit keys (``cell_key``) and labels."""

    keys: tuple[tuple[CellKey, ...], ...] = ()
    names: tuple[tuple[str, ...], ...] = ()

    def key(self, r: int, c: int) -> CellKey:
        return self.keys[r][c]

    def label(self, r: int, c: int) -> str:
        return self.names[r][c]


@dataclass(frozen=True)
class Relations:
    """What sums to what: additive indicator kinds per parent, and the balance groups."""

    kinds: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()
    parents: tuple[str, ...] = ()
    balances: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (whole, parts)

    def additive(self, indicator: Any) -> bool:
        """True when the children's values of ``indicator`` sum to their parent's."""
        return indicator.kind in self.kinds and indicator.code not in self.exclude

    def group(self, code: str) -> tuple[str, tuple[str, ...]]:
        """The balance group holding ``code`` as (whole, parts), or (code, (code,))."""
        for whole, parts in self.balances:
            if code == whole or code in parts:
                return whole, parts
        return code, (code,)


@functools.cache
def relations(folder: str | None = None) -> Relations:
    """The hierarchy and balance relations of ``rules/`` (the validation rules)."""
    root = config.project_root() / "rules" if folder is None else Path(folder)
    kinds: set[str] = set()
    exclude: set[str] = set()
    parents: list[str] = []
    balances = []
    for name, kind in (("hierarchy.yaml", "hierarchy"), ("balance.yaml", "balance")):
        path = root / name
        if not path.is_file():
            continue
        for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules", []):
            if rule.get("type") != kind:
                continue
            if kind == "hierarchy":
                kinds |= set(rule.get("indicators", {}).get("kind", []))
                exclude |= set(rule.get("indicators", {}).get("exclude", []))
                parents += [str(p) for p in rule.get("parents", []) if str(p) not in parents]
            else:
                balances.append((str(rule["total"]), tuple(str(p) for p in rule["parts"])))
    return Relations(frozenset(kinds), frozenset(exclude), tuple(parents), tuple(balances))


# ---- the tables ------------------------------------------------------------------------------


def _read(store: Any, codes: Sequence[str], regions: Sequence[str]) -> pd.DataFrame:
    """The latest observations as stored, latest by publication date as every reader's
    (``statlib.store.vintages``: a file loaded out of order is not the latest) — true values:
    disclosure control needs them; only the suppression pattern leaves this module."""
    from statlib.store.vintages import Selection

    return store._stored(list(codes), list(regions), None, None, Selection("latest"))


def _contributions(row: Any, hidden: bool, rules: Rules) -> np.ndarray:
    """The units of one cell as far as the aggregates tell (see the module's docstring)."""
    x = float(row["value"])
    count = _number(row["contributors"])
    if count == 0:
        return np.zeros(0)  # no unit: an empty cell, known to be 0
    count = 0 if count is None else int(count)
    s1, s2 = _number(row["top1_share"]), _number(row["top2_share"])
    if count and s1 is not None:
        s2 = 0.0 if s2 is None else s2
        top = [s1 * x] + ([s2 * x] if count > 1 else [])
        rest_n = max(count - len(top), 0)
        rest = x - sum(top)
        # spread the rest evenly over units no larger than the second (the order stays)
        least = math.ceil(abs(rest) / abs(top[-1])) if top[-1] else rest_n
        spread = min(rest_n, max(rules.n, least))
        units = np.array(top + ([rest / spread] * spread if spread else []))
    elif count:
        spread = min(count, max(rules.n, 10))
        units = np.full(spread, x / spread)
    else:
        units = np.full(max(rules.n, 10), x / max(rules.n, 10))  # judged by the flag alone
    if hidden and not rules.reasons(units):
        units = np.array([x])  # confidential: as if one unit made it
    return units


def _number(x: Any) -> float | None:
    if x is None or x is pd.NA:
        return None
    x = float(x)
    return None if x != x else x


def _complete(found: list[list[pd.Series | None]], lone: bool) -> list[list[pd.Series]] | None:
    """The rows of one period's cells (parts, then the whole) when every cell has a value, else
    None; a lone indicator's one part is also its whole."""
    grid: list[list[pd.Series]] = []
    for line in found:
        needed = line[:1] if lone else line
        cells = [c for c in needed if c is not None and not _blank(c["value"])]
        if len(cells) < len(needed):
            return None
        grid.append([cells[0], cells[0]] if lone else cells)
    return grid


def _blank(value: Any) -> bool:
    return value != value or value is None


def tables_for(
    store: Any,
    codes: Sequence[str],
    parent: str,
    periods: Iterable[str] | None = None,
    rules: Rules | None = None,
    frame: pd.DataFrame | None = None,
) -> list[AggregateTable]:
    """One table per period of the balance group (whole first) or lone indicator ``codes``
    under ``parent``: children × parts with the margins. Periods where a cell is missing are
    left out (nothing to add up)."""
    rules = rules if rules is not None else configured_rules()
    kids = [c.code for c in store.children(parent)]
    whole, parts = codes[0], tuple(codes[1:]) or (codes[0],)
    lone = parts == (whole,)
    regions = [*kids, parent]
    data = (
        frame
        if frame is not None
        else _read(store, [whole, *parts] if not lone else [whole], regions)
    )
    if data.empty:
        return []
    data = data.reset_index(drop=True)
    data["_hidden"] = unsafe_observations(data, rules).to_numpy()
    rows = {(r["indicator"], r["region"], r["period"]): r for _, r in data.iterrows()}
    wanted = sorted(set(data["period"])) if periods is None else list(periods)
    names = {r: store.region(r).name for r in regions}
    out = []
    for p in wanted:
        grid = _complete(
            [[rows.get((code, reg, p)) for code in [*parts, whole]] for reg in regions], lone
        )
        if grid is None:
            continue
        values = np.array([[float(c["value"]) for c in line] for line in grid])
        units = tuple(
            tuple(_contributions(c, bool(c["_hidden"]), rules) for c in line) for line in grid
        )
        counts = np.array([[len(u) for u in line] for line in units])
        keys = tuple(tuple(cell_key(code, reg, p) for code in [*parts, whole]) for reg in regions)
        if lone:
            keys = tuple((k[0], k[0]) for k in keys)
        labels = tuple(
            tuple(f"{code}[{names[reg]}, {p}]" for code in [*parts, whole]) for reg in regions
        )
        if lone:
            labels = tuple((n[0], n[0]) for n in labels)
        out.append(AggregateTable(
            f"{whole}@{p}", "region", "indicator", tuple(kids), parts, values, counts, units,
            np.ones(values.shape, dtype=bool), keys, labels))  # fmt: skip
    return out


# ---- the suppression -------------------------------------------------------------------------


def _primary(tables: Sequence[MagnitudeTable], rules: Rules) -> set[CellKey]:
    out = set()
    for t in tables:
        for r, c in t.cells():
            contributions = t.contributions[r][c]
            if t.shown[r, c] and len(contributions) and rules.reasons(contributions):
                out.add(t.key(r, c))
    return out


def _printed(tables: Sequence[MagnitudeTable], hidden: set[CellKey]) -> list[np.ndarray]:
    return [t.shown & ~np.array([[t.key(r, c) in hidden for c in range(t.shape[1])]
                                 for r in range(t.shape[0])]) for t in tables]  # fmt: skip


def milp_protect(
    tables: Sequence[MagnitudeTable], rules: Rules | None = None, *, time_limit: float = 60.0
) -> Protected:
    """Optimal secondary suppression of linked ``tables``: least value suppressed such that
    every primary cell can move by its protection level both ways (``audit`` checks it)."""
    tables = tuple(tables)
    rules = rules if rules is not None else configured_rules()
    index: dict[CellKey, int] = {}
    value: list[float] = []
    shown: list[bool] = []
    empty: list[bool] = []
    info: dict[CellKey, Any] = {}
    nonneg = all(t.nonnegative for t in tables)
    for t in tables:
        for r, c in t.cells():
            k = t.key(r, c)
            if k not in index:
                index[k] = len(value)
                value.append(float(t.values[r, c]))
                shown.append(False)
                empty.append(False)
                info[k] = t.contributions[r][c]
            i = index[k]
            shown[i] = shown[i] or bool(t.shown[r, c])
            empty[i] = empty[i] or t.counts[r, c] == 0
    n = len(value)
    vals = np.array(value)
    primary = _primary(tables, rules)
    if not primary:
        return Protected(
            tables, frozenset(), frozenset(), audit(tables, _printed(tables, set()), rules), rules
        )
    eq_rows: dict[tuple[tuple[int, float], ...], dict[int, float]] = {}
    for t in tables:
        for total, parts in t.equations():
            row: dict[int, float] = {}
            row[index[t.key(*total)]] = row.get(index[t.key(*total)], 0.0) - 1.0
            for p in parts:
                j = index[t.key(*p)]
                row[j] = row.get(j, 0.0) + 1.0
            row = {j: v for j, v in row.items() if v != 0.0}
            if row:
                eq_rows[tuple(sorted(row.items()))] = row
    equations = list(eq_rows.values())
    scale = max(1.0, float(np.abs(vals).max()))
    big = 2.0 * float(np.abs(vals).sum()) + scale
    lower_room = np.where(nonneg, vals, big)  # how far a cell may go down
    needs = []
    for k in sorted(primary, key=lambda k: index[k]):
        i = index[k]
        level = float(rules.protection(info[k]))
        level = level if level > 0 else max(1e-3 * abs(vals[i]), 1e-6 * scale)
        needs.append((i, level, min(level, lower_room[i])))
    blocks = [(i, up) for i, up, _ in needs] + [(i, -down) for i, _, down in needs if down > 0]
    nb = len(blocks)
    nvar = n + nb * n  # y, then one deviation vector per (primary, direction)
    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    lo: list[float] = []
    hi: list[float] = []

    def add(entries: Iterable[tuple[int, float]], low: float, high: float) -> None:
        for j, coef in entries:
            rows.append(len(lo))
            cols.append(j)
            data.append(coef)
        lo.append(low)
        hi.append(high)

    for b, (i, target) in enumerate(blocks):
        base = n + b * n
        for eq in equations:  # the deviation keeps every published sum
            add(((base + j, coef) for j, coef in eq.items()), 0.0, 0.0)
        add([(base + i, 1.0)], target, target)  # the primary moves by its protection level
        for j in range(n):  # only suppressed cells move: −room_j·y_j ≤ d_j ≤ big·y_j
            add([(base + j, 1.0), (j, -big)], -np.inf, 0.0)
            add([(base + j, -1.0), (j, -float(lower_room[j]))], -np.inf, 0.0)
    r = len(lo)
    triplets = (np.array(data), (np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp)))
    a = coo_matrix(triplets, shape=(r, nvar)).tocsr()
    cost = np.zeros(nvar)
    cost[:n] = np.abs(vals) + 1e-6 * scale  # the value suppressed, then fewer cells
    y_lo, y_hi = np.zeros(n), np.ones(n)
    for k in primary:
        y_lo[index[k]] = 1.0
    for j in range(n):
        if not shown[j]:  # printed nowhere: unknown already, free
            y_lo[j], cost[j] = 1.0, 0.0
        if empty[j]:  # known to be empty: cannot move
            y_lo[j] = y_hi[j] = 0.0
    cost[[index[k] for k in primary]] = 0.0
    lb = np.concatenate([y_lo, np.full(nb * n, -np.inf)])
    ub = np.concatenate([y_hi, np.full(nb * n, np.inf)])
    integrality = np.concatenate([np.ones(n), np.zeros(nb * n)])
    res = milp(
        cost,
        constraints=LinearConstraint(a, lo, hi),
        integrality=integrality,
        bounds=Bounds(lb, ub),
        options={"time_limit": time_limit},
    )
    if res.x is None:
        raise DisclosureError(f"secondary suppression (MILP): no pattern found ({res.message})")
    keys = list(index)
    hidden = {keys[j] for j in range(n) if res.x[j] > 0.5 and shown[j]}
    secondary = hidden - primary
    result = audit(tables, _printed(tables, hidden), rules)
    return Protected(tables, frozenset(primary), frozenset(secondary), result, rules)


def suppress(
    tables: Sequence[MagnitudeTable], rules: Rules | None = None, method: str = "milp"
) -> Protected:
    """Primary and secondary suppression of linked ``tables``, audited; ``method`` ``milp``
    (least value suppressed) or ``hypercube`` (``secondary.protect``). A MILP pattern that
    the audit does not pass gives way to the hypercube one."""
    rules = rules if rules is not None else configured_rules()
    tables = tuple(tables)
    if method not in ("milp", "hypercube"):
        raise ConfigError(f"suppress: method must be milp or hypercube, not {method!r}")
    primary: set[CellKey] = set()
    secondary: set[CellKey] = set()
    cells: list[Any] = []
    for part in components(tables):  # tables sharing no cell are solved (and audited) apart
        if not _primary(part, rules):
            continue
        done = milp_protect(part, rules) if method == "milp" else None
        if done is None or not done.result.ok:
            done = protect(part, rules)
        primary |= done.primary
        secondary |= done.secondary
        cells += done.result.cells
    return Protected(
        tables, frozenset(primary), frozenset(secondary), AuditResult(tuple(cells)), rules
    )


def components(tables: Sequence[MagnitudeTable]) -> list[tuple[MagnitudeTable, ...]]:
    """The groups of ``tables`` linked through shared cells (each group in input order)."""
    owner: dict[CellKey, int] = {}
    parent = list(range(len(tables)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, t in enumerate(tables):
        for r, c in t.cells():
            k = t.key(r, c)
            if k in owner:
                parent[find(i)] = find(owner[k])
            else:
                owner[k] = i
    groups: dict[int, list[MagnitudeTable]] = {}
    for i, t in enumerate(tables):
        groups.setdefault(find(i), []).append(t)
    return [tuple(g) for g in groups.values()]


# ---- the pattern for a publication ----------------------------------------------------------


@dataclass
class _Cache:
    entries: dict[tuple[Any, ...], frozenset[CellKey]] = field(default_factory=dict)
    raw: dict[tuple[Any, ...], pd.DataFrame] = field(default_factory=dict)


# the suppression code's own version: a cached pattern is reused only by the code that made it
_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


_CACHE = _Cache()


def hidden_cells(
    store: Any,
    codes: Iterable[str],
    parent: str,
    periods: Iterable[str] | None = None,
    rules: Rules | None = None,
) -> set[CellKey]:
    """Every cell (``cell_key``) of ``codes`` under ``parent`` (the parent and its children)
    that the public edition must suppress, primary and secondary, for ``periods`` (default
    all): the same answer for every publication that prints them. Only additive indicators
    of a hierarchy parent get secondary suppression; others keep their primary cells."""
    rel = relations()
    rules = rules if rules is not None else configured_rules()
    wanted = None if periods is None else tuple(sorted(set(periods)))
    out: set[CellKey] = set()
    groups: dict[tuple[str, ...], None] = {}
    for code in codes:
        ind = store.indicator(code)
        if parent in rel.parents and rel.additive(ind):
            groups[_group(ind.code)] = None
    for group in groups:
        key = (store.backend.url, _version(store), group, parent, wanted, rules)
        if key not in _CACHE.entries:
            regions, raw = _group_rows(store, group, parent)
            if wanted is not None:
                raw = raw[raw["period"].isin(wanted)]
            if raw.empty or not unsafe_observations(raw, rules).any():
                _CACHE.entries[key] = frozenset()  # nothing to protect
                continue
            _CACHE.entries[key] = _stored(store, group, parent, wanted, rules, regions, raw)
        out |= set(_CACHE.entries[key])
    return out


def _stored(
    store: Any,
    group: tuple[str, ...],
    parent: str,
    wanted: tuple[str, ...] | None,
    rules: Rules,
    regions: list[str],
    raw: pd.DataFrame,
) -> frozenset[CellKey]:
    """The pattern for these rows, from the machine's cache (``config.cache_dir``) when the
    same rows, rules and code gave it before (the pattern is a pure function of them; keyed by
    their sha256), else computed and kept there. Several processes may write one entry: each
    writes it whole."""
    rows = raw.sort_values(["indicator", "region", "period"]).to_csv(index=False)
    digest = hashlib.sha256(
        json.dumps([_CODE, repr(rules), group, regions, rows], ensure_ascii=False).encode()
    ).hexdigest()
    path = config.cache_dir() / "disclosure" / f"{digest}.json"
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))
        return frozenset((c[0], tuple((k, v) for k, v in c[1])) for c in cells)
    except (OSError, ValueError, TypeError, IndexError):
        pass
    done = suppress(tables_for(store, list(group), parent, wanted, rules, raw), rules)
    pattern = frozenset(done.primary | done.secondary)
    try:  # an optimisation only: a read-only cache folder just means no cache
        path.parent.mkdir(parents=True, exist_ok=True)
        staged = path.with_name(f".{path.name}.{os.getpid()}")
        staged.write_text(
            json.dumps(sorted([c[0], list(map(list, c[1]))] for c in pattern), ensure_ascii=False),
            encoding="utf-8",
        )
        os.replace(staged, path)
    except OSError:
        pass
    return pattern


def _group_rows(store: Any, group: tuple[str, ...], parent: str) -> tuple[list[str], pd.DataFrame]:
    """The parent and its children, and the group's rows for them (read once per version)."""
    regions = [parent, *(c.code for c in store.children(parent))]
    key = (store.backend.url, _version(store), group, tuple(regions))
    if key not in _CACHE.raw:
        _CACHE.raw[key] = _read(store, list(group), regions)
    return regions, _CACHE.raw[key]


def _group(code: str) -> tuple[str, ...]:
    whole, parts = relations().group(code)
    return (whole, *parts) if parts != (whole,) else (whole,)


def unsafe_periods(store: Any, code: str, parent: str, rules: Rules | None = None) -> set[str]:
    """Periods where the table of ``code``'s balance group under ``parent`` has a cell the
    primary rules hide: only those need secondary suppression."""
    rules = rules if rules is not None else configured_rules()
    _, raw = _group_rows(store, _group(code), parent)
    if raw.empty:
        return set()
    return set(raw.loc[unsafe_observations(raw, rules).to_numpy(), "period"].astype(str))


def public_secondary(store: Any, frame: pd.DataFrame) -> pd.DataFrame:
    """The public data layer's secondary suppression of observations ``frame`` (already
    through ``public.public_observations``): a cell that the tables of its indicator (counties
    with their city, parts with their whole, as the yearbook and the portal print them) must
    hide so that no suppressed cell can be recovered by subtraction arrives suppressed too,
    whoever reads it."""
    rel = relations()
    codes = [c for c in frame["indicator"].unique() if rel.additive(store.indicator(c))]
    regions = {r: store.region(r) for r in frame["region"].unique()} if codes else {}
    parents = {p for r, reg in regions.items() for p in (r, reg.parent) if p in rel.parents}
    hidden: set[CellKey] = set()
    for code in codes:
        asked = set(frame.loc[frame["indicator"] == code, "period"].astype(str))
        for parent in parents:
            for period in sorted(asked & unsafe_periods(store, code, parent)):
                hidden |= hidden_cells(store, [code], parent, [period])
    if not hidden:
        return frame
    hide = np.array(
        [
            cell_key(i, r, str(p)) in hidden
            for i, r, p in zip(frame["indicator"], frame["region"], frame["period"], strict=True)
        ],
        dtype=bool,
    )
    return suppress_rows(frame, hide) if hide.any() else frame


def _version(store: Any) -> Any:
    try:
        return int(store.backend.scalar("SELECT coalesce(max(id), 0) FROM vintage"))
    except Exception:  # a backend without vintages: no caching across loads
        return id(store)
