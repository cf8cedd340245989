"""The data layers' views: what a store does to a read before it leaves, per data layer.

The store is at the bottom of the package: it knows which data layer an edition reads
(``statlib.editions.data_layer``) but not the disclosure rules. ``statlib.disclosure``
registers a view for each layer when it is imported (``register_view``); a store that serves a
layer resolves its view on first need, importing the layer's provider by name (``PROVIDERS``,
settings as data: an entry point, not an import of the store). A public or masked read never
skips the filter: a layer without a registered view is refused (``ConfigError``).

>>> sorted(PROVIDERS)
['internal', 'public']
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from statlib._lazy import LazyModule
from statlib.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = LazyModule("pandas")

__all__ = ["PROVIDERS", "View", "register_view", "view"]


class View(Protocol):
    """What one data layer does to what leaves the store."""

    def observations(self, store: Any, frame: pd.DataFrame) -> pd.DataFrame:
        """The observations ``frame`` (``schema.OBSERVATION_COLUMNS``) as this layer serves them."""
        ...

    def estimates(self, frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
        """Survey estimates (with their count of answers ``n``) as this layer serves them."""
        ...

    def unit_cells(
        self, units: pd.DataFrame, by: str | Sequence[str], values: Sequence[str]
    ) -> pd.DataFrame:
        """``单位数`` and the sums of ``values`` by ``by`` from unit records, as this layer
        serves them (the public layer: unsafe sums suppressed)."""
        ...

    def protected_cells(
        self,
        units: pd.DataFrame,
        rows: str | Sequence[str],
        column: str,
        values: Sequence[str],
        cross: Sequence[str],
    ) -> Any:
        """The linked tables of ``values`` by ``rows`` and by ``column`` (the public layer:
        primary and secondary suppression, audited)."""
        ...

    def satisfaction(
        self, frame: pd.DataFrame, by: str | Sequence[str] | None, **options: Any
    ) -> pd.DataFrame:
        """Weighted satisfaction estimates of survey records ``frame`` as this layer serves
        them (the public layer: an estimate on fewer answers than the rules' n is NaN)."""
        ...


#: the module that registers each layer's view when imported
PROVIDERS: dict[str, str] = {"internal": "statlib.disclosure", "public": "statlib.disclosure"}

_VIEWS: dict[str, View] = {}


def register_view(layer: str, implementation: View) -> None:
    """Register the view of data layer ``layer`` (``internal`` or ``public``)."""
    _VIEWS[layer] = implementation


def view(layer: str) -> View:
    """The registered view of ``layer``, importing its provider first if it is not loaded yet."""
    if layer not in _VIEWS and layer in PROVIDERS:
        importlib.import_module(PROVIDERS[layer])
    try:
        return _VIEWS[layer]
    except KeyError:
        raise ConfigError(
            f"no view is registered for the {layer} data layer (statlib.store.layers."
            "register_view): the store refuses to serve it unfiltered — import the package "
            f"that provides it ({PROVIDERS.get(layer, 'none is configured')})"
        ) from None
