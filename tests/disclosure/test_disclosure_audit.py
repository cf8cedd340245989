"""Secondary suppression and the LP audit on hand-computed tables (TRUST.md §1).

Configured rules: minimum frequency n = 3, (2, 85) dominance, p% with p = 10. Protection
levels by hand: one unit of 7 → 7/0.85 − 7 = 1.2353 (dominance; p% asks 0.7); units 90, 5, 5
→ 95/0.85 − 100 = 11.7647 (dominance; p% asks 9 − 5 = 4).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from statlib.disclosure import (
    MagnitudeTable,
    Rules,
    audit,
    configured_rules,
    protect,
    tabulate,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "disclosure"
RULES = configured_rules()


@pytest.fixture()
def pitfall() -> MagnitudeTable:
    units = pd.read_csv(FIXTURES / "pitfall_4x4.csv")
    return tabulate(units, "county", "industry", "value_added")


def _mask(table: MagnitudeTable, hidden: list[tuple[int, int]]) -> np.ndarray:
    mask = table.shown.copy()
    for cell in hidden:
        mask[cell] = False
    return mask


def test_configured_rules_are_the_documented_ones() -> None:
    assert RULES == Rules(n=3, k=85, dominance_n=2, p=10)


def test_pitfall_table_is_as_in_the_readme(pitfall: MagnitudeTable) -> None:
    assert pitfall.values[:, 4].tolist() == [97, 196, 144, 165, 602]
    assert pitfall.values[4, :].tolist() == [76, 187, 150, 189, 602]


def test_primary_suppression_alone_lets_both_primaries_be_recovered(
    pitfall: MagnitudeTable,
) -> None:
    """The measured pitfall: each primary is alone in its row, so row total − the rest."""
    result = audit(pitfall, _mask(pitfall, [(0, 0), (1, 1)]))
    assert not result.ok
    found = {c.position: (c.interval, round(c.required, 4)) for c in result.failures}
    assert found == {(0, 0): ((7.0, 7.0), 1.2353), (1, 1): ((100.0, 100.0), 11.7647)}


def test_protect_adds_the_hand_computed_complements(pitfall: MagnitudeTable) -> None:
    """(B,x) first (larger protection). Its rectangle through (A,w) fails downward (7 <
    11.76); the cheapest sufficient one is rows B, C × columns w, x: new cells (B,w) 15,
    (C,x) 30, (C,w) 24, cost 69 (B,y route: 87; D,w route: 81). Then (A,w): rows A, B ×
    columns w, x needs only (A,x) 21. Every hidden row and column holds two or more."""
    protected = protect(pitfall)
    assert protected.result.ok
    assert np.argwhere(protected.suppressed()).tolist() == [
        [0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1],
    ]  # fmt: skip
    assert len(protected.primary) == 2 and len(protected.secondary) == 4
    published = protected.published()
    assert published[:, 4].all() and published[4, :].all()  # totals keep their true values
    # A: w + x = 28; B: w + x = 115; C: w + x = 54; column w: 46 − 0 (D printed); x: 151
    intervals = {c.position: c.interval for c in audit(pitfall, published).cells}
    assert intervals[(0, 0)] == pytest.approx((0.0, 28.0))
    assert intervals[(1, 1)] == pytest.approx((69.0, 115.0))  # 115 − w_B, w_B ∈ [0, 46]
    assert intervals[(0, 1)] == pytest.approx((0.0, 28.0))
    assert intervals[(2, 1)] == pytest.approx((8.0, 54.0))
    assert protected.figure() == "S2: 1 tables, 6 suppressed cells (2 primary, 4 secondary), " \
        "0 recoverable"  # fmt: skip


def _small(cells: dict[tuple[str, str], list[float]]) -> MagnitudeTable:
    records = [(r, c, x) for (r, c), xs in cells.items() for x in xs]
    return tabulate(pd.DataFrame(records, columns=["r", "c", "v"]), "r", "c", "v")


def test_an_interval_short_of_the_protection_level_fails() -> None:
    """Inner cells of columns x, y hidden (z printed, so that the totals stay safe): (a,x) =
    100 may rise only by min((a,y), (b,x)) = 6 < 11.76, and fall by min(100, (b,y)) = 30:
    interval [70, 106]."""
    table = _small(
        {("a", "x"): [90, 5, 5], ("a", "y"): [2, 2, 2], ("a", "z"): [20] * 3,
         ("b", "x"): [10] * 3, ("b", "y"): [10] * 3, ("b", "z"): [10] * 3}
    )  # fmt: skip
    result = audit(table, _mask(table, [(0, 0), (0, 1), (1, 0), (1, 1)]))
    (cell,) = result.failures
    assert cell.position == (0, 0) and cell.interval == pytest.approx((70.0, 106.0))
    assert protect(table).result.ok


def test_frequency_only_cell_must_not_be_pinned() -> None:
    """Two units of 0: no magnitude to protect (level 0), but the value must not be known."""
    table = _small(
        {("a", "x"): [0, 0], ("a", "y"): [5] * 3, ("b", "x"): [5] * 3, ("b", "y"): [5] * 3}
    )
    pinned = audit(table, _mask(table, [(0, 0)]))
    assert [c.position for c in pinned.failures] == [(0, 0)]
    assert pinned.failures[0].required == 0.0
    hidden = audit(table, _mask(table, [(0, 0), (0, 1), (1, 0), (1, 1)]))
    assert hidden.ok and hidden.cells[0].interval == pytest.approx((0.0, 15.0))


def _linked() -> tuple[MagnitudeTable, MagnitudeTable]:
    """County × industry and county × size of the same units: they share the county
    totals and the grand total."""
    units = pd.DataFrame(
        [("a", "x", "l", 50.0)]
        + [("a", "y", "s", 10.0)] * 3
        + [("b", "x", "s", 10.0)] * 3
        + [("b", "y", "s", 10.0)] * 3,
        columns=["county", "industry", "size", "v"],
    )
    return tabulate(units, "county", "industry", "v"), tabulate(units, "county", "size", "v")


def test_linked_tables_are_audited_together() -> None:
    """T1 hides (a,x), (b,x) and both county totals: alone, (a,x) ∈ [0, 80]. T2 hides
    (a,l), (a,s) and the size totals: alone, (a,l) ∈ [0, 80]. But T2 prints the county
    total a = 80, so in T1 (a,x) = 80 − (a,y) 30 = 50 exactly."""
    t1, t2 = _linked()
    m1 = _mask(t1, [(0, 0), (1, 0), (0, 2), (1, 2)])
    m2 = _mask(t2, [(0, 0), (0, 1), (2, 0), (2, 1)])
    assert audit(t1, m1, RULES).ok and audit(t2, m2, RULES).ok
    joint = audit([t1, t2], [m1, m2], RULES)
    assert [(c.label, c.interval) for c in joint.failures] == [("v[a, x]", (50.0, 50.0))]
    protected = protect([t1, t2])
    again = audit([t1, t2], [protected.published(0), protected.published(1)], RULES)
    assert again.ok and protected.result.ok


def test_a_linked_cell_printed_anywhere_is_published() -> None:
    t1, t2 = _linked()
    protected = protect([t1, t2])
    shown_in_t2 = protected.published(1)[:, 2]  # county totals printed by T2 …
    assert (protected.published(0)[:, 2] == shown_in_t2).all()  # … are printed by T1 too
