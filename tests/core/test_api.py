"""The public API notebooks use: curated, sorted, importable, and with the agreed signatures."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import statlib
import statlib.leaks
import statlib.render
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
    assert _params(measures.contributions)[:3] == ["base_levels", "real_growth", "total_growth"]
    assert _params(measures.cumulative_average)[:2] == ["index", "base"]
    assert _params(measures.mom)[:3] == ["series", "kind", "combined_first"]
    assert _params(phrase.pull)[:3] == ["points", "of", "decimals"]
    assert phrase.growth(7.2) == "增长7.2%" and phrase.rank(4) == "居全区第4位"
    assert measures.fmt(measures.two_year_average(13.2)) == "6.4"


def _packages() -> list[ModuleType]:
    found = [statlib]
    for info in pkgutil.walk_packages(statlib.__path__, "statlib."):
        if info.ispkg:
            found.append(importlib.import_module(info.name))
    return found


def test_no_attribute_shadows_a_submodule() -> None:
    """A name in a package never hides the submodule of that name: ``statlib.X.Y`` is what
    ``import statlib.X.Y`` gives, so docs and tests that name a module reach that module."""
    packages = _packages()
    assert {"statlib.leaks", "statlib.disclosure", "statlib.render", "statlib.ingest"} <= {
        p.__name__ for p in packages
    }
    shadowed = []
    for package in packages:
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            if getattr(package, info.name) is not module:
                shadowed.append(module.__name__)
    assert shadowed == []
    assert statlib.leaks.scanner.scan is statlib.leaks.scan  # the function is still public
    assert statlib.render.formats.formats.get("html").suffix == ".html"
