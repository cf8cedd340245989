"""Safe parameters and output names (TRUST.md §3: papermill checks neither).

A parameter must be declared in the notebook's ``parameters`` cell, its name must match
``^[A-Za-z_]\\w*$`` and its value must have the declared default's type. Output names are slugs,
and every output path is checked to stay inside its root.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path
from typing import Any

import nbformat

from statlib.errors import ConfigError

__all__ = ["check_parameters", "declared_parameters", "inside", "slug"]

_NAME = re.compile(r"^[A-Za-z_]\w*\Z", re.ASCII)
_SLUG = re.compile(r"[^a-z0-9_.-]+")
_TYPES: tuple[type, ...] = (bool, int, float, str, list, dict, type(None))


def declared_parameters(notebook: Path) -> dict[str, Any]:
    """The names and default values assigned in the cell tagged ``parameters``."""
    nb = nbformat.read(notebook, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not cells:
        raise ConfigError(f"{notebook}: no cell is tagged 'parameters' — tag the cell that "
                          "holds the defaults (View → Cell Toolbar → Tags in Jupyter)")
    declared: dict[str, Any] = {}
    tree = ast.parse(cells[0].source)
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and node.value is not None:
                    try:
                        declared[target.id] = ast.literal_eval(node.value)
                    except ValueError:
                        raise ConfigError(
                            f"{notebook}: parameter {target.id} must have a literal default "
                            "(a number, string, list or dict)") from None
    return declared


def check_parameters(notebook: Path, values: dict[str, Any]) -> dict[str, Any]:
    """Values checked against the notebook's declared parameters; returns plain copies."""
    declared = declared_parameters(notebook)
    checked: dict[str, Any] = {}
    for name, value in values.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise ConfigError(f"parameter name {name!r} is not a Python identifier "
                              "(letters, digits and _ only)")
        if name not in declared:
            raise ConfigError(f"{notebook.name} declares no parameter {name!r}; it declares "
                              f"{', '.join(sorted(declared)) or 'none'}")
        default = declared[name]
        if type(value) not in _TYPES:
            raise ConfigError(f"parameter {name}: a {type(value).__name__} is not a plain value")
        expected = type(default)
        same = type(value) is expected or (expected is float and type(value) is int)
        if default is not None and not same:
            raise ConfigError(f"parameter {name} must be a {expected.__name__} like its default "
                              f"{default!r}, not {value!r}")
        if isinstance(value, str) and "\x00" in value:
            raise ConfigError(f"parameter {name} contains a NUL character")
        checked[name] = value
    return checked


def slug(text: str) -> str:
    """A safe file-name part: ASCII lower case, digits, ``_.-``; never empty, never ``..``."""
    norm = unicodedata.normalize("NFKC", str(text)).lower()
    out = _SLUG.sub("-", norm).strip(".-")
    out = re.sub(r"\.{2,}", ".", out)
    if not out:
        raise ConfigError(f"{text!r} gives an empty output name; use letters or digits")
    return out[:80]


def inside(root: Path, *parts: str) -> Path:
    """``root / parts`` resolved, refused unless it stays inside ``root``."""
    base = root.resolve()
    target = base.joinpath(*parts).resolve()
    if target != base and base not in target.parents:
        raise ConfigError(f"output path {'/'.join(parts)!r} leaves the output root {root}")
    return target
