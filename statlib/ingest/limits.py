"""Bounds on what one input file may cost: bytes, rows, columns, cells, field length and time.

Each bound has a default that the bureau's real files stay far below and an environment variable
that raises (or lowers) it; a file beyond a bound is refused with an ``InputError`` that names the
bound, its value and the variable. The bounds are read when a file is read, so a test or a shell
may change them at any time.

The bounds, their variables and defaults are settings (``statlib.config.SETTINGS``,
``statlib config``): ``STATLIB_INGEST_MAX_BYTES``, ``_MAX_ROWS``, ``_MAX_COLUMNS``,
``_MAX_CELLS``, ``_MAX_FIELD`` and ``_TIMEOUT``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from statlib import config
from statlib.errors import ConfigError, InputError

__all__ = ["EXCEL_MAX_COLUMNS", "EXCEL_MAX_ROWS", "Clock", "Limits", "limits"]

EXCEL_MAX_ROWS = 1_048_576  # a sheet cannot hold more (Excel, WPS, the OOXML standard)
EXCEL_MAX_COLUMNS = 16_384  # XFD

_NAMES = ("max_bytes", "max_rows", "max_columns", "max_cells", "max_field", "timeout")


def _setting(name: str) -> config.Setting:
    return next(s for s in config.SETTINGS if s.name == f"ingest_{name}")


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int
    max_columns: int
    max_cells: int
    max_field: int
    timeout: int

    @staticmethod
    def env(name: str) -> str:
        return _setting(name).env

    def exceeded(
        self, name: str, what: str, *, file: str, row: int | None = None, column: str | None = None
    ) -> InputError:
        """The error for a file beyond bound ``name``: ``what`` says by how much."""
        return InputError(
            f"{what}, above the limit of {getattr(self, name):,} ({self.env(name)})",
            file=file,
            row=row,
            column=column,
            hint=f"split the file, or raise the limit: export {self.env(name)}=… and load it again",
        )

    def check_row(
        self,
        cells: Sequence[str],
        *,
        file: str,
        row: int,
        what: str = "row",
        names: Sequence[str] = (),
    ) -> None:
        """``cells`` (one row, or a header: ``what``) within ``max_columns`` and ``max_field``;
        a long cell is named by its column's name in ``names``, else by its number (``#3``)."""
        wide = "row {row} has {n:,} fields" if what == "row" else f"the {what} has {{n:,}} columns"
        at = f"#{self.max_columns + 1}"
        self.check("max_columns", len(cells), wide, file=file, row=row, column=at)
        for i, cell in enumerate(cells):
            if len(cell) > self.max_field:
                named = names[i] if i < len(names) and names[i] else f"#{i + 1}"
                long = f"a {'field' if what == 'row' else what} of {{n:,}} characters"
                self.check("max_field", len(cell), long, file=file, row=row, column=named)

    def check(
        self, name: str, value: int, what: str, *, file: str, row: int, column: str | None = None
    ) -> None:
        """The error of bound ``name`` if ``value`` is above it. ``what`` is a template of the
        value ``n``, the bound ``limit``, ``row`` and ``column``, filled only then (a check per
        cell stays cheap)."""
        limit = getattr(self, name)
        if value > limit:
            text = what.format(n=value, limit=limit, row=row, column=column)
            raise self.exceeded(name, text, file=file, row=row, column=column)


def limits() -> Limits:
    """The bounds in force now (environment variables over the defaults)."""
    values: dict[str, int] = {}
    for name in _NAMES:
        env = _setting(name).env
        text = config.get(f"ingest_{name}").strip().replace("_", "")
        try:
            values[name] = int(text)
        except ValueError:
            raise ConfigError(f"{env}={text!r} is not a whole number") from None
        if values[name] < 0:
            raise ConfigError(f"{env}={text!r} must not be negative")
    return Limits(**values)


class Clock:
    """The time budget of one file: ``check()`` raises once ``STATLIB_INGEST_TIMEOUT`` passed."""

    def __init__(self, file: str, bounds: Limits | None = None) -> None:
        self.file = file
        self.bounds = bounds or limits()
        self.start = time.monotonic()

    def left(self) -> float:
        return self.bounds.timeout - (time.monotonic() - self.start)

    def check(self, row: int | None = None) -> None:
        if self.left() < 0:
            raise self.bounds.exceeded(
                "timeout",
                f"reading the file took more than {self.bounds.timeout} s",
                file=self.file,
                row=row,
            )
