"""statlib — the statistical publishing workbench of a city statistics bureau (市统计局).

The public API notebooks use. Everything else is internal.

>>> import statlib
>>> statlib.periods.label("2022-11")
'1—11月'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from statlib.errors import (
    ConfigError,
    DataError,
    EditionError,
    InputError,
    StatlibError,
    StoreLockedError,
)

__version__ = "0.1.0"

# Every module of the API loads on first use (PEP 562): pandas, DuckDB, matplotlib and the rest
# cost half a second, which `statlib build` with nothing to run, or `statlib --version`, never pays.
_LAZY = (
    "charts",
    "checks",
    "editions",
    "fonts",
    "forecast",
    "measures",
    "periods",
    "phrase",
    "render",
    "report",
    "seasonal",
    "survey",
    "tables",
    "yearbook",
)
_FROM_STORE = ("Indicator", "Region", "Store", "open_store")

if TYPE_CHECKING:
    from statlib import (
        charts,
        checks,
        editions,
        fonts,
        forecast,
        measures,
        periods,
        phrase,
        render,
        report,
        seasonal,
        survey,
        tables,
        yearbook,
    )
    from statlib.store import Indicator, Region, Store, open_store


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return importlib.import_module(f"statlib.{name}")
    if name in _FROM_STORE:
        return getattr(importlib.import_module("statlib.store"), name)
    raise AttributeError(f"module 'statlib' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "ConfigError",
    "DataError",
    "EditionError",
    "Indicator",
    "InputError",
    "Region",
    "StatlibError",
    "Store",
    "StoreLockedError",
    "__version__",
    "charts",
    "checks",
    "editions",
    "fonts",
    "forecast",
    "measures",
    "open_store",
    "periods",
    "phrase",
    "render",
    "report",
    "seasonal",
    "survey",
    "tables",
    "yearbook",
]
