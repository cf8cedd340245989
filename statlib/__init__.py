"""statlib — the statistical publishing workbench of a city statistics bureau (市统计局).

The public API notebooks use. Everything else is internal.

>>> import statlib
>>> statlib.periods.label("2022-11")
'1—11月'
"""

from __future__ import annotations

import importlib
from types import ModuleType

from statlib import editions, measures, periods, phrase, report
from statlib.errors import (
    ConfigError,
    DataError,
    EditionError,
    InputError,
    StatlibError,
    StoreLockedError,
)
from statlib.store import Indicator, Region, Store, open_store

__version__ = "0.1.0"

# Modules that pull in matplotlib, openpyxl or statsmodels load on first use, so `statlib query`
# starts fast.
_LAZY = (
    "charts",
    "checks",
    "fonts",
    "forecast",
    "render",
    "seasonal",
    "survey",
    "tables",
    "yearbook",
)


def __getattr__(name: str) -> ModuleType:
    if name in _LAZY:
        return importlib.import_module(f"statlib.{name}")
    raise AttributeError(f"module 'statlib' has no attribute {name!r}")


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
