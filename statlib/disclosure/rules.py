"""Primary disclosure rules for magnitude tables (TRUST.md §1; tau-ARGUS, sdcTable, ESSnet).

A cell's contributions are the values of the units (enterprises) that make it up. Sorted
x1 ≥ x2 ≥ … with total X (magnitudes: a negative value counts by its absolute size, since a
large loss discloses a unit as much as a large profit):

=================  ==========================================  ===================
rule               a cell is unsafe when                        parameters
=================  ==========================================  ===================
minimum frequency  0 < contributors < n                         ``n`` (3)
(n,k) dominance    x1 + … + x_dn > (k/100)·X                    ``dominance_n`` (1),
                                                                ``k`` (85)
p% rule            X − x1 − x2 < (p/100)·x1                     ``p`` (off; 10…17.6)
=================  ==========================================  ===================

A cell without contributors is an empty (structural zero) cell and discloses nobody. The
comparisons are exact (on the decimals the numbers print as), so a unit holding exactly 85%
of a cell is safe under k = 85 and one holding 85.0001% is not. Rule parameters are
configuration (``config.yaml`` next to this module, read by ``configured_rules``) and are
themselves not published.

The protection level of an unsafe cell (``Rules.protection``) is how far the published
margins must leave its value uncertain, above and below, for the rule to hold against the
best-placed intruder (tau-ARGUS): for p%, ``(p/100)·x1 − (X − x1 − x2)``; for (n,k)
dominance, ``(100/k)·(x1 + … + x_dn) − X``; for minimum frequency alone, any non-zero width.

>>> unsafe([[60, 30, 10], [86, 10, 4], [5, 5]])
[False, True, True]
>>> reasons([1, 1, 98], p=10)
('dominance', 'p%')
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, overload

import numpy as np
import pandas as pd
import yaml

from statlib.errors import ConfigError

__all__ = [
    "CONFIG",
    "Rules",
    "configured_rules",
    "dominance",
    "frequency",
    "p_percent",
    "reasons",
    "unsafe",
]

Contributions = Iterable[float | int | Decimal | Fraction]
CONFIG = Path(__file__).with_name("config.yaml")


@dataclass(frozen=True)
class Rules:
    """The parameters of the primary rules; ``p=None`` leaves the p% rule out."""

    n: int = 3
    k: float = 85
    dominance_n: int = 1
    p: float | None = None

    def __post_init__(self) -> None:
        for name in ("n", "dominance_n"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"disclosure rule {name} must be an int ≥ 1, got {value!r}")
        if isinstance(self.k, bool) or not isinstance(self.k, int | float) or not 0 < self.k <= 100:
            raise ConfigError(f"disclosure rule k must be a percentage in (0, 100], got {self.k!r}")
        if self.p is not None and (
            isinstance(self.p, bool) or not isinstance(self.p, int | float) or not 0 < self.p < 100
        ):
            raise ConfigError(f"disclosure rule p must be a percentage in (0, 100), got {self.p!r}")

    def reasons(self, contributions: Contributions) -> tuple[str, ...]:
        """The rules a cell fails: a subset of ``("frequency", "dominance", "p%")``."""
        xs = _magnitudes(contributions)
        out = []
        if frequency(xs, self.n):
            out.append("frequency")
        if dominance(xs, self.k, self.dominance_n):
            out.append("dominance")
        if self.p is not None and p_percent(xs, self.p):
            out.append("p%")
        return tuple(out)

    def protection(self, contributions: Contributions) -> Fraction:
        """The protection level of a cell: the largest amount any failing rule asks the
        published figures to leave its value uncertain by, on each side (0 for a safe cell,
        and for a cell failing minimum frequency only, which asks for a non-zero width).

        >>> float(Rules(k=100, p=10).protection([100, 5, 5]))  # p% alone: 10 − 5
        5.0
        >>> round(float(Rules(k=85).protection([90, 10])), 4)  # dominance: 90/0.85 − 100
        5.8824
        """
        xs = _magnitudes(contributions)
        failing = self.reasons(xs)
        total = sum(xs, Fraction(0))
        levels = [Fraction(0)]
        if "dominance" in failing:
            levels.append(
                sum(xs[: self.dominance_n], Fraction(0)) * 100 / _fraction(self.k) - total
            )
        if "p%" in failing and self.p is not None:
            rest = total - xs[0] - (xs[1] if len(xs) > 1 else 0)
            levels.append(_fraction(self.p) * xs[0] / 100 - rest)
        return max(levels)


def configured_rules(path: str | Path | None = None) -> Rules:
    """The rules as configured in ``config.yaml`` (or ``path``): frequency n, dominance n and
    k, p%. A missing section keeps the default; ``p_percent: null`` turns the p% rule off."""
    source = Path(path) if path is not None else CONFIG
    try:
        stat = source.stat()
        key = (str(source), stat.st_mtime_ns, stat.st_size)
        if key in _READ:  # the public data layer asks on every read
            return _READ[key]
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"disclosure rules: cannot read {source}: {exc}") from exc
    _READ.clear()
    _READ[key] = _rules_of(data, source)
    return _READ[key]


_READ: dict[tuple[str, int, int], Rules] = {}


def _rules_of(data: Any, source: Path) -> Rules:
    known = {"frequency", "dominance", "p_percent"}
    if not isinstance(data, dict) or set(data) - known:
        raise ConfigError(f"disclosure rules {source}: sections must be among {sorted(known)}")
    frequency_ = data.get("frequency") or {}
    dominance_ = data.get("dominance") or {}
    p_section = data.get("p_percent", {"p": None})
    return Rules(
        n=frequency_.get("n", 3),
        k=dominance_.get("k", 85),
        dominance_n=dominance_.get("n", 1),
        p=None if p_section is None else p_section.get("p"),
    )


def frequency(contributions: Contributions, n: int = 3) -> bool:
    """Minimum frequency: unsafe when the cell has 1 … n−1 contributors.

    >>> [frequency([1] * c) for c in (0, 1, 2, 3, 4)]
    [False, True, True, False, False]
    """
    count = len(_magnitudes(contributions))
    return 0 < count < n


def dominance(contributions: Contributions, k: float = 85, n: int = 1) -> bool:
    """(n,k) dominance: unsafe when the ``n`` largest contributions exceed k% of the total.

    >>> dominance([85, 15]), dominance([85.5, 14.5]), dominance([50, 40, 10], n=2)
    (False, True, True)
    """
    xs = _magnitudes(contributions)
    total = sum(xs, Fraction(0))
    if total == 0:
        return False
    return sum(xs[:n], Fraction(0)) * 100 > _fraction(k) * total


def p_percent(contributions: Contributions, p: float = 10) -> bool:
    """p% rule: unsafe when the second largest unit can estimate the largest within p%:
    X − x1 − x2 < (p/100)·x1.

    >>> p_percent([100, 5, 5]), p_percent([100, 5, 5, 5]), p_percent([100, 5, 5, 4])
    (True, False, True)
    """
    xs = _magnitudes(contributions)
    if not xs or xs[0] == 0:
        return False
    rest = sum(xs, Fraction(0)) - xs[0] - (xs[1] if len(xs) > 1 else 0)
    return rest * 100 < _fraction(p) * xs[0]


@overload
def unsafe(
    cells: Mapping[Any, Contributions],
    n: int = ...,
    k: float = ...,
    dominance_n: int = ...,
    p: float | None = ...,
) -> dict[Any, bool]: ...
@overload
def unsafe(
    cells: pd.Series, n: int = ..., k: float = ..., dominance_n: int = ..., p: float | None = ...
) -> pd.Series: ...
@overload
def unsafe(
    cells: Iterable[Contributions],
    n: int = ...,
    k: float = ...,
    dominance_n: int = ...,
    p: float | None = ...,
) -> list[bool]: ...
def unsafe(
    cells: Any, n: int = 3, k: float = 85, dominance_n: int = 1, p: float | None = None
) -> Any:
    """Primary sensitivity per cell: True where any rule fails.

    ``cells`` holds each cell's contributions: a mapping cell → values (gives a dict), a pandas
    Series of lists (gives a bool Series on the same index, e.g. from
    ``units.groupby([...])["revenue"].apply(list)``) or a list of lists (gives a list).

    >>> unsafe({"a": [1, 1, 1], "b": [1, 1], "c": []})
    {'a': False, 'b': True, 'c': False}
    """
    rules = Rules(n=n, k=k, dominance_n=dominance_n, p=p)
    if isinstance(cells, pd.Series):
        return cells.map(lambda c: bool(rules.reasons(c))).astype(bool)
    if isinstance(cells, Mapping):
        return {key: bool(rules.reasons(c)) for key, c in cells.items()}
    if isinstance(cells, str | bytes):
        raise ConfigError("unsafe: cells must be a list of contributions per cell, got a str")
    return [bool(rules.reasons(c)) for c in cells]


def reasons(
    contributions: Contributions,
    n: int = 3,
    k: float = 85,
    dominance_n: int = 1,
    p: float | None = None,
) -> tuple[str, ...]:
    """The rules one cell fails (empty when it is safe), for notes and audit trails."""
    return Rules(n=n, k=k, dominance_n=dominance_n, p=p).reasons(contributions)


def _magnitudes(contributions: Contributions) -> list[Fraction]:
    if isinstance(contributions, str | bytes) or not isinstance(contributions, Iterable):
        raise ConfigError(
            f"a cell's contributions must be a list of unit values, got {contributions!r}"
        )
    out = [abs(_fraction(x)) for x in contributions if not _missing(x)]
    return sorted(out, reverse=True)


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and x != x)


def _fraction(x: object) -> Fraction:
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, bool) or not isinstance(x, int | float | Decimal | Fraction):
        raise ConfigError(f"a contribution must be a number, got {x!r}")
    if isinstance(x, float):
        if not math.isfinite(x):
            raise ConfigError(f"a contribution must be finite, got {x!r}")
        return Fraction(Decimal(repr(x)))
    return Fraction(x)
