"""Statistical disclosure control of tables (TRUST.md §1).

``rules`` holds the primary rules: minimum frequency, (n,k) dominance and the p% rule, applied
to the contributions of each cell. Secondary suppression and the linear-programming audit of a
whole table (so that a suppressed cell cannot be recovered from the margins) come later.

>>> from statlib.disclosure import unsafe
>>> unsafe({"煤炭": [50, 30, 20], "燃气": [90, 5, 5], "水": [7, 3]})
{'煤炭': False, '燃气': True, '水': True}
"""

from __future__ import annotations

from statlib.disclosure.rules import (
    Rules,
    dominance,
    frequency,
    p_percent,
    reasons,
    unsafe,
)

__all__ = ["Rules", "dominance", "frequency", "p_percent", "reasons", "unsafe"]
