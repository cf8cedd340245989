"""A project is a folder: found from where the user stands, like Quarto's ``_quarto.yml``.

The root is ``$STATLIB_PROJECT`` if set, else the first folder at or above the current directory
holding ``statlib.yaml`` (or a ``pyproject.toml`` with a ``[tool.statlib]`` table). The file may
set any setting of ``statlib.config.SETTINGS`` by name; paths in it are relative to the root.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import yaml

from statlib.errors import ConfigError

__all__ = ["MARKER", "find_root", "read_settings"]

MARKER = "statlib.yaml"
ENV = "STATLIB_PROJECT"


def _has_tool_table(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("tool", {}).get("statlib"), dict)


def find_root(start: Path | None = None) -> Path:
    """The project root; ConfigError naming the folder searched when there is none."""
    pinned = os.environ.get(ENV)
    if pinned:
        root = Path(pinned).expanduser().resolve()
        if not root.is_dir():
            raise ConfigError(f"{ENV}={pinned}: no such folder; set it to a statlib project")
        return root
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return folder
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return folder
    raise ConfigError(
        f"no statlib project at or above {here} (no {MARKER}, no [tool.statlib] in a "
        f"pyproject.toml): create one with `statlib init DIR`, cd into a project, "
        f"or set {ENV}"
    )


def read_settings(root: Path, allowed: dict[str, str]) -> tuple[Path | None, dict[str, str]]:
    """The settings the project file sets: (file, {name: value}).

    ``allowed`` maps a setting name to its kind (``path`` or ``text``); a path is returned
    resolved against ``root``. Unknown keys or values that are not scalars raise ConfigError.
    """
    path = root / MARKER
    raw: object
    if path.is_file():
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    else:
        path = root / "pyproject.toml"
        if not path.is_file():
            return None, {}
        raw = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("statlib", {})
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings, got {type(raw).__name__}")
    out: dict[str, str] = {}
    for key, value in raw.items():
        if key not in allowed:
            raise ConfigError(
                f"{path}: unknown key {key!r}; allowed keys: {', '.join(sorted(allowed))}"
            )
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ConfigError(
                f"{path}: key {key!r} must be a string or a number, got {type(value).__name__}"
            )
        text = str(value)
        if allowed[key] == "path" and "://" not in text and text:
            p = Path(text).expanduser()
            text = str(p if p.is_absolute() else root / p)
        out[key] = text
    return path, out
