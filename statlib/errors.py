"""The one exception root of statlib, its branches, and the exit codes of the command.

    StatlibError                 root: everything statlib raises on purpose
    ├── ConfigError              a setting or parameter is wrong (names the parameter)
    │   ├── EditionError         a run asked for data its edition may not see
    │   └── RegistryError        a registry move is not allowed (unknown issue, wrong state)
    │       └── EmbargoError     a publication before its embargo time
    ├── DataError                the database cannot answer (unknown code, missing file)
    │   └── StoreLockedError     another process holds the DuckDB file for writing
    ├── InputError               an input file is malformed (names file, row, column, what to do)
    ├── RenderError              a notebook cannot be rendered (names notebook, format, line)
    ├── ExecutionError           a notebook cell raised (names notebook, cell, ename, evalue)
    ├── CheckError               a blocking validation rule fails (names rule and records)
    ├── LeakError                a public byte holds a confidential value (names file, part, secret)
    ├── DisclosureError          a table cannot be protected: no safe suppression pattern
    ├── OutputError              a folder cannot take a write: disk full, read-only (names it)
    ├── UnsafePathError          a write would follow a planted link or leave its root
    ├── LockedError              another run holds this build's or publication's lock
    └── BuildInterrupted         SIGINT or SIGTERM stopped a build (exit 128 + the signal)

Every error carries the context a user needs to fix the input, and a message that says what to
do. Each class has an ``exit_code``; :data:`EXIT_CODES` is the one table of what the ``statlib``
command's exit codes mean (the CLI's error handler, ``statlib --help`` and README's table all
come from it).
"""

from __future__ import annotations

import signal
from typing import Any

__all__ = [
    "EXIT_CODES",
    "BuildInterrupted",
    "CheckError",
    "ConfigError",
    "DataError",
    "DisclosureError",
    "EditionError",
    "EmbargoError",
    "ExecutionError",
    "InputError",
    "LeakError",
    "LockedError",
    "OutputError",
    "RegistryError",
    "RenderError",
    "StatlibError",
    "StoreLockedError",
    "UnsafePathError",
    "exit_code",
    "exit_code_table",
]

EXIT_CODES: dict[int, str] = {
    0: "success",
    1: "internal error: a bug in statlib (the traceback says where; please report it)",
    2: "a bad parameter or setting, or a registry move that is not allowed",
    3: "the database cannot answer: unknown code, missing database, locked file",
    4: "an input file is malformed (its file, row and column are named)",
    5: "a notebook cannot be rendered",
    6: "a notebook of the build failed (its cell and error are named, the notebook kept)",
    7: "the release was stopped: a blocking rule failed, a public byte holds a confidential "
    "value, or a table cannot be protected",
    8: "an output folder cannot be written: disk full, read-only, a link statlib did not make",
    9: "another run holds the lock of this build or publication",
    130: "stopped by Ctrl-C (SIGINT)",
    143: "stopped by SIGTERM",
}
"""What each exit code of the ``statlib`` command means: the one table (README, ``--help``)."""


class StatlibError(Exception):
    """Root of every error statlib raises on purpose."""

    exit_code = 1


class ConfigError(StatlibError):
    """A setting or parameter is missing or invalid."""

    exit_code = 2


class EditionError(ConfigError):
    """A run asked for data its edition may not see: an internal store, or unit records, in a
    public or masked run; a public file rendered from an internal run (``statlib.editions``)."""


class RegistryError(ConfigError):
    """A registration or a move that the registry refuses (names the publication and why)."""


class EmbargoError(RegistryError):
    """A publication asked to be published before its embargo time."""


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


class ExecutionError(StatlibError):
    """A notebook cell raised, or the job ran out of time (``ename`` ``Timeout``).

    ``notebook`` names the notebook, ``cell`` the index of the failing cell (None: the failure
    is not in a cell), ``ename`` and ``evalue`` the exception and ``traceback`` its text;
    ``executed`` is the executed notebook (an ``nbformat`` node) when there is one, kept so the
    author can open it at the failing cell.
    """

    exit_code = 6

    def __init__(
        self,
        notebook: str,
        cell: int | None,
        ename: str,
        evalue: str,
        traceback: str = "",
        executed: Any = None,
    ) -> None:
        self.notebook = str(notebook)
        self.cell = cell
        self.ename = ename
        self.evalue = evalue
        self.traceback = traceback
        self.executed = executed
        where = f"cell {cell}" if cell is not None else "notebook"
        name = self.notebook.rsplit("/", 1)[-1]
        super().__init__(f"{name + ', ' if name else ''}{where}: {ename}: {evalue}")

    def __reduce__(self) -> tuple[Any, ...]:  # picklable across worker processes
        return (
            type(self),
            (self.notebook, self.cell, self.ename, self.evalue, self.traceback, self.executed),
        )


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


class DisclosureError(StatlibError):
    """No suppression pattern protecting every unsafe cell was found; names the cells
    (``statlib.disclosure``). Nothing unprotected is published."""

    exit_code = 7


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


class BuildInterrupted(StatlibError):
    """The build received SIGTERM or SIGINT while its jobs ran: its workers and kernels were
    stopped and nothing was published. Exit code 128 + the signal's number, as a shell does."""

    exit_code = 128 + signal.SIGINT

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.exit_code = 128 + signum
        name = signal.Signals(signum).name
        super().__init__(
            f"the build was stopped by {name}: its workers and kernels were "
            "stopped, nothing was published — run statlib build again"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.signum,))


def exit_code(exc: BaseException) -> int:
    """The exit code of the ``statlib`` command for ``exc`` (:data:`EXIT_CODES`): a
    StatlibError's own, 130 for Ctrl-C, 1 (internal error) for anything else."""
    if isinstance(exc, StatlibError):
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        return 128 + signal.SIGINT
    return 1


def exit_code_table() -> str:
    """:data:`EXIT_CODES` as a Markdown table, with the errors that exit with each code
    (README's exit-code section is this text; ``tests/core/test_errors.py`` checks it)."""
    raised: dict[int, list[str]] = {}
    for cls in _tree(StatlibError):
        if cls is not StatlibError:
            code = 128 + signal.SIGINT if cls is BuildInterrupted else cls.exit_code
            raised.setdefault(code, []).append(f"`{cls.__name__}`")
    raised.setdefault(128 + signal.SIGTERM, []).append("`BuildInterrupted`")
    raised[1] = ["any other exception"]
    raised[128 + signal.SIGINT].append("Ctrl-C of any command")
    lines = ["| code | meaning | raised as |", "|---:|---|---|"]
    for code, meaning in EXIT_CODES.items():
        lines.append(f"| {code} | {meaning} | {', '.join(raised.get(code, [])) or '–'} |")
    return "\n".join(lines) + "\n"


def _tree(cls: type[StatlibError]) -> list[type[StatlibError]]:
    """``cls`` and its subclasses, depth first, in definition order."""
    found = [cls]
    for sub in cls.__subclasses__():
        found.extend(_tree(sub))
    return found
