"""Safe parameters and output names (TRUST.md §3: papermill checks neither).

A parameter must be declared in the notebook's ``parameters`` cell, its name must match
``^[A-Za-z_]\\w*$`` and its value must have the declared default's type. Output names are
slugs and every output path stays inside its root (``statlib.fsio.slug``, ``fsio.inside``).
"""

from __future__ import annotations

import ast
import copy
import functools
import json
import math
import re
from pathlib import Path
from typing import Any

from statlib.errors import ConfigError

__all__ = [
    "check_parameters",
    "declared_parameters",
    "parameters_source",
    "resolve_text",
    "typed_values",
]

_NAME = re.compile(r"^[A-Za-z_]\w*\Z", re.ASCII)
_TYPES: tuple[type, ...] = (bool, int, float, str, list, dict, type(None))


def declared_parameters(notebook: Path) -> dict[str, Any]:
    """The names and default values assigned in the cell tagged ``parameters``.

    The notebook is read as JSON, not through nbformat: planning a release reads every
    notebook (each twice), and nbformat's schema validation costs more than the rest of a
    no-op build. Read once per version of the file."""
    stat = notebook.stat()
    return copy.deepcopy(_declared(notebook, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=256)
def _declared(notebook: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
        cells = [
            c for c in nb["cells"] if "parameters" in (c.get("metadata") or {}).get("tags", [])
        ]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(
            f"{notebook}: not a Jupyter notebook (nbformat 4 JSON): {exc} — open it in "
            "JupyterLab and save it again, or restore it from git"
        ) from None
    if not cells:
        raise ConfigError(
            f"{notebook}: no cell is tagged 'parameters' — tag the cell that "
            "holds the defaults (View → Cell Toolbar → Tags in Jupyter)"
        )
    declared: dict[str, Any] = {}
    source = cells[0].get("source", "")
    tree = ast.parse("".join(source) if isinstance(source, list) else source)
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
                            "(a number, string, list or dict)"
                        ) from None
    return declared


def check_parameters(notebook: Path, values: dict[str, Any]) -> dict[str, Any]:
    """Values checked against the notebook's declared parameters; returns plain copies."""
    declared = declared_parameters(notebook)
    checked: dict[str, Any] = {}
    for name, value in values.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise ConfigError(
                f"parameter name {name!r} is not a Python identifier (letters, digits and _ only)"
            )
        if name not in declared:
            raise ConfigError(
                f"{notebook.name} declares no parameter {name!r}; it declares "
                f"{', '.join(sorted(declared)) or 'none'}"
            )
        default = declared[name]
        _plain(value, name)
        expected = type(default)
        same = type(value) is expected or (expected is float and type(value) is int)
        if default is not None and not same:
            raise ConfigError(
                f"parameter {name} must be a {expected.__name__} like its default "
                f"{default!r}, not {value!r}"
            )
        checked[name] = value
    return checked


def _plain(value: Any, name: str) -> None:
    """Refuse anything but plain data (no object with a crafted ``__repr__``/``__str__``)."""
    if type(value) not in _TYPES:
        raise ConfigError(f"parameter {name}: a {type(value).__name__} is not a plain value")
    if isinstance(value, str) and "\x00" in value:
        raise ConfigError(f"parameter {name} contains a NUL character")
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"parameter {name}: {value!r} is not a finite number")
    if isinstance(value, list):
        for item in value:
            _plain(item, name)
    elif isinstance(value, dict):
        for key, item in value.items():
            _plain(key, name)
            _plain(item, name)


def parameters_source(values: dict[str, Any]) -> str:
    """The source of a ``parameters`` cell assigning ``values``: one ``name = literal`` line each.

    Names must be identifiers, values plain data written with ``repr``; the source is parsed back
    and must assign exactly ``values`` (a value can never become a line of code)."""
    lines = []
    for name, value in values.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise ConfigError(
                f"parameter name {name!r} is not a Python identifier (letters, digits and _ only)"
            )
        _plain(value, name)
        lines.append(f"{name} = {value!r}")
    source = "\n".join(lines)
    tree = ast.parse(source)
    back = {}
    for node in tree.body:
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            raise ConfigError("parameters cell: a value became code")  # pragma: no cover
        back[node.targets[0].id] = ast.literal_eval(node.value)
    if back != values or list(back) != list(values):
        raise ConfigError("parameters cell: the values do not read back")  # pragma: no cover
    return source


def resolve_text(text: str) -> Any:
    """A ``-p`` value as papermill's command line reads it (``papermill.cli._resolve_type``):
    ``True``/``False``/``None``, then an int, then a float, else the text."""
    if text in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[text]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}


def typed_values(
    notebook: Path, texts: dict[str, str], *, raw: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """``-p NAME VALUE`` texts as the types of the notebook's declared defaults.

    The type comes from the default, as papermill's ``--help-notebook`` shows it: a str default
    takes the text as it is (``-p region 990202`` stays ``'990202'``, where papermill's own
    command line would make it an int); an int, float, bool or None default reads the text as
    papermill does (:func:`resolve_text`; a bool also takes true/false); a list or dict default
    reads it as YAML (papermill's ``-y``). Names in ``raw`` (``-r``) stay text. A name the
    parameters cell does not declare is refused, naming the ones it declares.
    """
    import yaml

    declared = declared_parameters(notebook)
    out: dict[str, Any] = {}
    for name, text in texts.items():
        if name not in declared:
            raise ConfigError(
                f"{notebook.name} declares no parameter {name!r}; its parameters cell declares "
                f"{', '.join(sorted(declared)) or 'none'}"
            )
        default = declared[name]
        value: Any = text
        if name in raw or isinstance(default, str):
            out[name] = text
            continue
        if isinstance(default, bool) and text.strip().lower() in _TRUE | _FALSE:
            value = text.strip().lower() in _TRUE
        elif isinstance(default, list | dict):
            try:
                value = yaml.safe_load(text)
            except yaml.YAMLError:
                value = text
        else:
            value = resolve_text(text)
        expected = type(default)
        same = type(value) is expected or (expected is float and type(value) is int)
        if default is not None and not same:
            raise ConfigError(
                f"parameter {name} must be a {expected.__name__} like its "
                f"default {default!r}, not {text!r}"
            )
        out[name] = value
    return out
