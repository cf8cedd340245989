"""What every ``statlib`` command shares: the error handler (one line, the exit code of
``statlib.errors.EXIT_CODES``) and the options several commands take."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from statlib.errors import EXIT_CODES, StatlibError, exit_code

__all__ = ["DATE", "db_option", "handle_errors", "path_option"]

#: a date option: a bad one is refused naming the option and the form
DATE = click.DateTime(formats=["%Y-%m-%d"])


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Print a StatlibError as one clear line and exit with its code (``EXIT_CODES``); Ctrl-C
    exits 130 with one line too. Any other exception is a bug: its traceback, exit 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (StatlibError, KeyboardInterrupt) as exc:
            code = exit_code(exc)
            click.secho(f"error: {str(exc) or EXIT_CODES[code]}", fg="red", err=True)
            sys.exit(code)

    return wrapper


def path_option(
    flag: str, dest: str, help: str, *, folder: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """An optional path option: a folder (``folder``) or a file, None when not given."""
    return click.option(
        flag, dest, type=click.Path(file_okay=not folder, dir_okay=folder), default=None, help=help
    )


db_option = click.option(
    "--db",
    "url",
    default=None,
    metavar="URL",
    help="DuckDB file or postgresql:// URL (default: $STATLIB_DB or data/statlib.duckdb).",
)
