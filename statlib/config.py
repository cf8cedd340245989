"""Settings declared once as data (name, default, help); documented from this declaration."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from statlib.errors import StatlibError

__all__ = [
    "SETTINGS",
    "Setting",
    "cache_dir",
    "get",
    "project_root",
    "source",
    "templates_dir",
]


def templates_dir() -> Path:
    """The renderer's templates, Lua filters and fonts: ``statlib/templates`` (package data)."""
    return Path(__file__).resolve().parent / "templates"


def project_root() -> Path:
    """The project the user stands in: ``$STATLIB_PROJECT``, else the first folder at or above
    the current directory holding ``statlib.yaml`` (see statlib.project)."""
    from statlib import project

    return project.find_root()


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str

    @property
    def kind(self) -> str:
        """``path`` when a relative value in statlib.yaml is relative to the project root."""
        return "path" if self.name in _PATHS else "text"


_PATHS = frozenset({"db", "data_dir", "work", "cache", "outputs"})


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "db",
        "STATLIB_DB",
        "data/statlib.duckdb",
        "The store: a DuckDB file path (relative to the project root) or a postgresql:// URL.",
    ),
    Setting(
        "lock_wait",
        "STATLIB_LOCK_WAIT",
        "300",
        "Seconds a writer of a PostgreSQL store waits for another writer (writes take turns); "
        "then it stops with a message naming the holder.",
    ),
    Setting(
        "data_dir",
        "STATLIB_DATA",
        "data",
        "Folder of the source files the database is built from (demo/, nbs/, catalogue/).",
    ),
    Setting(
        "edition",
        "STATLIB_EDITION",
        "internal",
        "Edition the store serves: internal (every figure), public or masked (the public data "
        "layer: confidential and unsafe cells arrive suppressed, flag S; unit records refused). "
        "The batch and statlib preview pin it per kernel; see statlib.editions.",
    ),
    Setting(
        "chart_png",
        "STATLIB_CHART_PNG",
        "1",
        "1: a chart shows as SVG and PNG (DOCX and WeChat embed the PNG); 0: SVG only. The batch "
        "sets 0 for a job whose formats embed no raster image (html, pdf, xlsx, csv).",
    ),
    Setting(
        "work",
        "STATLIB_WORK",
        ".statlib",
        "Build work folder: staging, cache, failed notebooks (never published, never committed).",
    ),
    Setting(
        "cache",
        "STATLIB_CACHE",
        "",
        "Machine-wide cache of derived, content-addressed results (the disclosure patterns of "
        "the public data layer); default $XDG_CACHE_HOME/statlib or ~/.cache/statlib.",
    ),
    Setting(
        "outputs",
        "STATLIB_OUTPUTS",
        "outputs",
        "Root folder of rendered publications (never committed).",
    ),
    # Bounds on what one input file may cost (statlib.ingest.limits); a file beyond one is
    # refused naming the bound and its variable.
    Setting(
        "ingest_max_bytes",
        "STATLIB_INGEST_MAX_BYTES",
        str(4 << 30),
        "Bytes of one input file (and of a workbook's unpacked XML).",
    ),
    Setting(
        "ingest_max_rows",
        "STATLIB_INGEST_MAX_ROWS",
        "50000000",
        "Rows of one long CSV (a workbook holds at most 1,048,576).",
    ),
    Setting(
        "ingest_max_columns",
        "STATLIB_INGEST_MAX_COLUMNS",
        "2000",
        "Columns of one table or workbook sheet.",
    ),
    Setting(
        "ingest_max_cells",
        "STATLIB_INGEST_MAX_CELLS",
        "2000000",
        "Cells of one workbook or wide table read into memory.",
    ),
    Setting(
        "ingest_max_field",
        "STATLIB_INGEST_MAX_FIELD",
        "1000",
        "Characters of one field (a name, a code, a number).",
    ),
    Setting(
        "ingest_timeout",
        "STATLIB_INGEST_TIMEOUT",
        "900",
        "Seconds to read and check one input file.",
    ),
)


def source(name: str) -> tuple[str, str]:
    """(value, origin) of a setting: environment variable > statlib.yaml > default.

    ``origin`` is ``env``, the project file's path, or ``default``.
    """
    for s in SETTINGS:
        if s.name == name:
            if os.environ.get(s.env):
                return os.environ[s.env], "env"
            from statlib import project

            try:
                root = project.find_root()
            except StatlibError:
                return s.default, "default"
            file, values = project.read_settings(root, {x.name: x.kind for x in SETTINGS})
            if name in values and file is not None:
                return values[name], str(file)
            return s.default, "default"
    raise KeyError(name)


def get(name: str) -> str:
    """The value of a setting: environment variable > statlib.yaml > default."""
    return source(name)[0]


def cache_dir() -> Path:
    """The machine-wide cache folder (``STATLIB_CACHE``, else the XDG cache)."""
    if get("cache"):
        return Path(get("cache")).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "statlib"


def path(name: str) -> Path:
    """A path setting resolved against the project root."""
    p = Path(get(name))
    return p if p.is_absolute() else project_root() / p
