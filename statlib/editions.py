"""The edition contract: which data a notebook run may see (DESIGN.md, Editions).

This module is the one place the contract is written down and enforced.

* A notebook's edition is its ``edition`` parameter — ``internal``, ``public`` or ``masked`` —
  on every path that runs it: ``statlib build``, ``statlib preview``, plain papermill
  (``-p edition public``), a JupyterLab kernel, Quarto with ``-P edition:public``.
* The store a notebook opens (``statlib.open_store()``) serves exactly that edition's
  **data layer**: ``internal`` every figure; ``public`` and ``masked`` the public layer, where
  confidential and unsafe cells arrive suppressed (NaN, flag ``S``) and unit records
  (``Store.units``, ``Store.survey``) are refused — only their protected aggregates
  (``Store.unit_cells``, ``Store.protected_cells``, ``Store.unit_count``) leave the store.
  The masked edition is the internal text with its figures masked, drawn from the public layer.
* The edition of a store opened inside a kernel is the strictest of: the ``edition`` the call
  asks for, the kernel's pin (``STATLIB_EDITION``, set by the batch and by ``statlib preview``
  for their kernels), the notebook's ``edition`` variable (its parameter, read from the
  kernel's namespace) and every edition this kernel has already served. Asking for a less
  strict edition than one of these raises :class:`EditionError` — a kernel that has served a
  public store never serves an internal one (restart the kernel to go back to internal).
* Each store opened in a kernel records its edition in the cell's output (a display item of
  mime type :data:`RECORD_MIME` that no renderer shows), so that ``statlib render`` can refuse
  to make a public file from an internal run (:func:`recorded`).

Outside a kernel (the CLI, the batch's own process, tests) ``open_store`` serves the edition
asked for, default ``STATLIB_EDITION`` or ``internal``: the tools that check public output
against the confidential figures must read them.

>>> data_layer("masked"), strictest(["internal", "masked"])
('public', 'masked')
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

from statlib.errors import ConfigError, EditionError

__all__ = [
    "EDITIONS",
    "PIN_ENV",
    "RECORD_MIME",
    "EditionError",
    "check",
    "data_layer",
    "for_kernel",
    "recorded",
    "run_parameter",
    "strictest",
]

EDITIONS = ("internal", "public", "masked")
PIN_ENV = "STATLIB_EDITION"
RECORD_MIME = "application/vnd.statlib.store+json"
_RANK = {"internal": 0, "masked": 1, "public": 2}  # masked: internal text, public data

# editions served in this process while it runs notebooks (a kernel): never loosened
_served: set[str] = set()


def check(edition: object, what: str = "edition") -> str:
    """``edition`` if it is one of :data:`EDITIONS`, else ConfigError naming ``what``."""
    if edition not in EDITIONS:
        raise ConfigError(f"{what} must be one of {', '.join(EDITIONS)}, got {edition!r}")
    return str(edition)


def data_layer(edition: str) -> str:
    """The data layer an edition reads: ``internal`` or ``public`` (also for ``masked``)."""
    return "internal" if check(edition) == "internal" else "public"


def strictest(editions: Iterable[str]) -> str:
    """The most protective of ``editions`` (public > masked > internal)."""
    return max((check(e) for e in editions), key=_RANK.__getitem__, default="internal")


def _kernel() -> Any:
    """The running IPython kernel's shell, or None outside a kernel."""
    if "IPython" not in sys.modules:  # a kernel has imported it long before: not in one
        return None
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return None
    shell = get_ipython()
    return shell if shell is not None and getattr(shell, "kernel", None) is not None else None


def for_kernel(asked: str | None) -> str:
    """The edition a store opened now must serve (see the module docstring); raises
    EditionError when ``asked`` is less strict than what the run requires."""
    pin = os.environ.get(PIN_ENV) or None
    shell = _kernel()
    if shell is None:
        return check(asked or pin or "internal", "open_store(edition=…)")
    required: dict[str, str] = {}
    if pin is not None:
        required[check(pin, PIN_ENV)] = f"this kernel is pinned to it ({PIN_ENV})"
    parameter = shell.user_ns.get("edition")
    if isinstance(parameter, str) and parameter in EDITIONS:
        required.setdefault(parameter, "the notebook's edition parameter says so")
    for served in _served:
        required.setdefault(served, "this kernel has already served it")
    floor = strictest(required) if required else "internal"
    chosen = check(asked, "open_store(edition=…)") if asked is not None else floor
    if _RANK[chosen] < _RANK[floor]:
        raise EditionError(
            f"this run is {floor!r} ({required[floor]}): it cannot open the {chosen!r} store. "
            f"Open the store with statlib.open_store() after the parameters cell; to work on "
            f"the {chosen} edition, set edition = {chosen!r} and restart the kernel."
        )
    if chosen != "internal":
        _served.add(chosen)
    return chosen


def record(edition: str) -> None:
    """Note in the running cell's output which edition a store serves (kernels only)."""
    if _kernel() is None:
        return
    from IPython.display import display

    display({RECORD_MIME: {"edition": edition, "data_layer": data_layer(edition)}}, raw=True)


def recorded(notebook: Any) -> tuple[set[str], str | None]:
    """From an executed notebook: the editions of the stores it opened (as recorded) and the
    value of its ``edition`` parameter (papermill's injected parameters, else None)."""
    stores: set[str] = set()
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) or []:
            data = output.get("data") or {}
            if RECORD_MIME in data:
                entry = data[RECORD_MIME]
                if isinstance(entry, dict) and entry.get("edition") in EDITIONS:
                    stores.add(entry["edition"])
                else:
                    stores.add("internal")  # an unreadable record counts as the loosest
    value = run_parameter(notebook, "edition")
    return stores, value if isinstance(value, str) else None


def run_parameter(notebook: Any, name: str) -> Any:
    """The value a run gave parameter ``name``: papermill's injected parameters, else the
    literal assigned in the injected or the parameters cell (a run in JupyterLab or nbclient),
    else None."""
    parameters = (notebook.get("metadata", {}).get("papermill", {}) or {}).get("parameters")
    if isinstance(parameters, dict) and name in parameters:
        return parameters[name]
    for tag in ("injected-parameters", "parameters"):
        found = _assigned(notebook, tag, name)
        if found is not None:
            return found
    return None


def _assigned(notebook: Any, tag: str, name: str) -> Any:
    """The last literal ``name = …`` of the code cell tagged ``tag``, if any."""
    import ast

    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code" or tag not in cell.get("metadata", {}).get("tags", []):
            continue
        source = cell.get("source", "")
        try:
            tree = ast.parse("".join(source) if isinstance(source, list) else source)
        except SyntaxError:
            return None
        found = None
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
            ):
                found = node.value.value
        return found
    return None
