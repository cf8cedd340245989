"""Statistical disclosure control of tables (TRUST.md §1).

``rules`` holds the primary rules (minimum frequency, (n,k) dominance, p%) and their
protection levels, with parameters from ``config.yaml``; ``tabulate`` builds a two-dimensional
magnitude table with margins from unit records; ``secondary.protect`` suppresses the unsafe
cells and enough others that none can be recovered from the margins; ``audit`` is the
independent linear-programming oracle; ``public`` hides unsafe observations in the public
edition of the data layer (registered with the store on import: ``statlib.store.layers``).

>>> from statlib.disclosure import unsafe
>>> unsafe({"煤炭": [50, 30, 20], "燃气": [90, 5, 5], "水": [7, 3]})
{'煤炭': False, '燃气': True, '水': True}
"""

from __future__ import annotations

from statlib.disclosure.magnitude import TOTAL, MagnitudeTable, tabulate
from statlib.disclosure.oracle import AuditResult, CellAudit, audit
from statlib.disclosure.public import (
    SUPPRESSED_FLAG,
    InternalView,
    PublicView,
    public_observations,
)
from statlib.disclosure.rules import (
    Rules,
    configured_rules,
    dominance,
    frequency,
    p_percent,
    reasons,
    unsafe,
)
from statlib.disclosure.secondary import Protected, protect
from statlib.store.layers import register_view

# the store is below disclosure: it asks for its layers' views, disclosure registers them
register_view("internal", InternalView())
register_view("public", PublicView())

__all__ = [
    "SUPPRESSED_FLAG",
    "TOTAL",
    "AuditResult",
    "CellAudit",
    "MagnitudeTable",
    "Protected",
    "Rules",
    "audit",
    "configured_rules",
    "dominance",
    "frequency",
    "p_percent",
    "protect",
    "public_observations",
    "reasons",
    "tabulate",
    "unsafe",
]
