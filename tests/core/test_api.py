"""The public API notebooks use: curated, sorted, importable, and with the agreed signatures."""

from __future__ import annotations

import inspect
from types import ModuleType

import statlib
from statlib import measures, phrase


def test_all_is_sorted_and_complete() -> None:
    assert statlib.__all__ == sorted(statlib.__all__)
    for name in statlib.__all__:
        assert getattr(statlib, name) is not None, name
    # every public name that is not a submodule is declared (submodules appear once imported)
    public = {
        n
        for n in dir(statlib)
        if not n.startswith("_") and not isinstance(getattr(statlib, n), ModuleType)
    }
    assert public - set(statlib.__all__) <= {"ModuleType", "annotations"}


def test_submodules_export_what_they_declare() -> None:
    for module in (
        statlib.periods,
        statlib.measures,
        statlib.phrase,
        statlib.tables,
        statlib.charts,
        statlib.fonts,
    ):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def _params(fn: object) -> list[str]:
    return list(inspect.signature(fn).parameters)  # type: ignore[arg-type]


def test_signatures_checked_from_outside() -> None:
    assert _params(phrase.growth)[:2] == ["rate", "kind"]
    assert _params(phrase.change)[:3] == ["current", "previous", "kind"]
    assert _params(phrase.rank)[:2] == ["position", "group"]
    assert _params(phrase.describe)[:4] == ["store", "indicator", "region", "period"]
    assert _params(measures.two_year_average)[:1] == ["total_growth_pct"]
    assert phrase.growth(7.2) == "增长7.2%" and phrase.rank(4) == "居全区第4位"
    assert measures.fmt(measures.two_year_average(13.2)) == "6.4"
