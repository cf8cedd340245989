"""The one exception root of statlib and its few branches.

    StatlibError                 root: everything statlib raises on purpose
    ├── ConfigError              a setting or parameter is wrong (names the parameter)
    │   └── EditionError         a run asked for data its edition may not see
    ├── DataError                the database cannot answer (unknown code, locked file)
    │   └── StoreLockedError     another process holds the DuckDB file for writing
    ├── InputError               an input file is malformed (names file, row, column, what to do)
    ├── CheckError               a blocking validation rule fails (names rule and records)
    ├── LeakError                a public byte holds a confidential value (names file, part, secret)
    ├── RenderError              a notebook cannot be rendered (names notebook, format, line)
    ├── OutputError              a folder cannot take a write: disk full, read-only (names it)
    ├── UnsafePathError          a write would follow a planted link or leave its root
    └── LockedError              another run holds this build's or publication's lock

Every error carries the context a user needs to fix the input, and a message that says what to do.
"""

from __future__ import annotations

from typing import Any


class StatlibError(Exception):
    """Root of every error statlib raises on purpose."""

    exit_code = 1


class ConfigError(StatlibError):
    """A setting or parameter is missing or invalid."""

    exit_code = 2


class EditionError(ConfigError):
    """A run asked for data its edition may not see: an internal store, or unit records, in a
    public or masked run; a public file rendered from an internal run (``statlib.editions``)."""


class DataError(StatlibError):
    """The store cannot answer: unknown indicator or region, missing database, bad vintage."""

    exit_code = 3


class StoreLockedError(DataError):
    """The store is held by another writer: a DuckDB file's lock, or PostgreSQL's write lock
    after STATLIB_LOCK_WAIT seconds (statlib.store.backends)."""


class InputError(StatlibError):
    """An input file is malformed. Nothing was stored.

    ``file``, ``row`` (1-based line or spreadsheet row) and ``column`` (header name or letter)
    locate the problem; ``hint`` says what to do.
    """

    exit_code = 4

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str = "",
    ) -> None:
        self.problem = problem
        self.file = file
        self.row = row
        self.column = column
        self.hint = hint
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"file {self.file}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = (", ".join(where) + ": " if where else "") + self.problem
        if self.hint:
            text += f" — {self.hint}"
        return text


class RenderError(StatlibError):
    """A notebook cannot be rendered: no or bad front matter, unknown series, a failed engine."""

    exit_code = 5


class CheckError(StatlibError):
    """A blocking validation rule fails: the release is not built until the data are corrected
    or the rule is overridden with a recorded reason."""

    exit_code = 7


class LeakError(StatlibError):
    """A public or masked output holds a confidential value, unit datum or canary: nothing may
    be published. ``hits`` names each file, part and secret (``statlib.leaks.Hit``)."""

    exit_code = 7

    def __init__(self, release: object, hits: list[Any]) -> None:
        self.release = release
        self.hits = hits
        shown = "\n".join(f"  {hit}" for hit in hits[:20])
        more = f"\n  … and {len(hits) - 20} more" if len(hits) > 20 else ""
        super().__init__(
            f"{len(hits)} leak(s) in the public bytes of {release}:\n{shown}{more}\n"
            "Nothing was published: remove the confidential content (suppress the cell, drop "
            "the internal-only part) and build again."
        )


class OutputError(StatlibError):
    """A folder statlib writes to cannot take the write: the disk is full, the file system is
    read-only, permission is denied. Names the folder; nothing was half-published."""

    exit_code = 8

    def __init__(self, folder: object, why: str, file: str = "") -> None:
        self.folder = folder
        self.why = why
        where = f" (writing {file})" if file and str(file) != str(folder) else ""
        super().__init__(
            f"cannot write to {folder}: {why}{where}; nothing was left half-written — free "
            "some space or make the folder writable (STATLIB_OUTPUTS, STATLIB_WORK) and run again."
        )


class UnsafePathError(StatlibError):
    """A write would go through a symbolic link statlib did not create, or leave its root
    (``statlib.fsio``). Names the path."""

    exit_code = 8


class LockedError(StatlibError):
    """Another run holds the lock of this build or publication (names PID, host and start)."""

    exit_code = 9
