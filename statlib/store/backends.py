"""Store backends: a DuckDB file (the embedded default) and a PostgreSQL server.

Both speak the same small interface — ``query``, ``execute``, ``transaction`` and ``copy_in`` —
and the same SQL (``?`` placeholders, ``DISTINCT ON``); ``Store`` is written once on top of it.
Backends are registered by URL scheme, the built-ins the same way as any other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from statlib.errors import DataError, StoreLockedError
from statlib.store import schema

__all__ = ["Backend", "DuckDBBackend", "PostgresBackend", "open_backend", "register_backend"]

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<prog>.+?) \(PID (?P<pid>\d+)\)")


class Backend:
    """What ``Store`` needs of a database. Subclasses implement the five methods."""

    name = "abstract"
    url = ""
    read_only = True
    #: no other connection can change the data while this one is open (a read-only DuckDB
    #: file: its lock keeps writers out), so reads may be cached
    snapshot = False

    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        raise NotImplementedError

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[None]:
        raise NotImplementedError
        yield

    def copy_in(self, table: str, frame: pd.DataFrame) -> None:
        """Append the rows of ``frame`` (columns named as the table's) inside the transaction."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def create_schema(self) -> None:
        raise NotImplementedError

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        frame = self.query(sql, params)
        return None if frame.empty else frame.iat[0, 0]


class DuckDBBackend(Backend):
    """A DuckDB file. Many read-only processes at once, or one writer (DuckDB's own rule)."""

    name = "duckdb"

    def __init__(self, path: Path, *, read_only: bool, create: bool) -> None:
        self.path = Path(path)
        self.url = str(self.path)
        self.read_only = read_only
        self.snapshot = read_only
        if not self.path.exists() and not create:
            raise DataError(
                f"database {self.path} does not exist — run `statlib db init` to build it "
                "from the sources in data/, or set STATLIB_DB to an existing database"
            )
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            m = _LOCK_HOLDER.search(str(exc))
            if m:
                mode = "read" if read_only else "write to"
                raise StoreLockedError(
                    f"cannot {mode} {self.path}: it is locked by {m['prog']} (PID {m['pid']}); "
                    "DuckDB allows one writer or many readers — wait for that process to finish "
                    f"or stop it (kill {m['pid']}), then retry"
                ) from exc
            raise DataError(
                f"cannot open database {self.path}: {exc} — if the file is damaged, move it "
                "aside and run `statlib db init` to rebuild it from data/"
            ) from exc
        except duckdb.Error as exc:
            raise DataError(
                f"cannot open database {self.path}: {exc} — the file is not a readable DuckDB "
                "database; move it aside and run `statlib db init` to rebuild it from data/"
            ) from exc

    def create_schema(self) -> None:
        for stmt in schema.ddl("DOUBLE", ""):
            self.con.execute(stmt)

    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        return self.con.execute(sql, list(params)).df()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(sql, list(params))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def copy_in(self, table: str, frame: pd.DataFrame) -> None:
        self.con.register("_statlib_copy_in", frame)
        try:
            cols = ", ".join(frame.columns)
            self.con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _statlib_copy_in")
        finally:
            self.con.unregister("_statlib_copy_in")

    def close(self) -> None:
        self.con.close()


class PostgresBackend(Backend):
    """A PostgreSQL server, for a bureau that shares one database among several machines."""

    name = "postgresql"

    def __init__(self, url: str, *, read_only: bool, create: bool) -> None:
        import psycopg

        self.url = url
        self.read_only = read_only
        try:
            self.con = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise DataError(
                f"cannot connect to {_redact(url)}: {exc} — check the URL, the server and the "
                "password"
            ) from exc
        if read_only:
            self.con.execute("SET default_transaction_read_only = on")
        self._psycopg = psycopg

    def create_schema(self) -> None:
        with self.transaction():
            for stmt in schema.ddl(
                "DOUBLE PRECISION", ", PRIMARY KEY (indicator, region, period, vintage)"
            ):
                self.con.execute(stmt)

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        with self.con.cursor() as cur:
            cur.execute(self._sql(sql), list(params))
            cols = [d.name for d in cur.description or ()]
            return pd.DataFrame(cur.fetchall(), columns=cols)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(self._sql(sql), list(params))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.con.transaction():
            yield

    def copy_in(self, table: str, frame: pd.DataFrame) -> None:
        cols = ", ".join(frame.columns)
        with self.con.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in frame.itertuples(index=False, name=None):
                copy.write_row(tuple(None if _isna(v) else v for v in row))

    def close(self) -> None:
        self.con.close()


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _redact(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


_BACKENDS: dict[str, Callable[..., Backend]] = {}


def register_backend(scheme: str, factory: Callable[..., Backend]) -> None:
    """Register a backend factory ``factory(target, read_only=, create=)`` for a URL scheme."""
    _BACKENDS[scheme] = factory


register_backend("duckdb", lambda target, **kw: DuckDBBackend(Path(target), **kw))
register_backend("postgresql", lambda target, **kw: PostgresBackend(target, **kw))
register_backend("postgres", lambda target, **kw: PostgresBackend(target, **kw))


def open_backend(url: str, *, read_only: bool, create: bool) -> Backend:
    """Open ``url``: ``postgresql://…`` or a DuckDB file path (``duckdb:///path`` also accepted)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return _BACKENDS["duckdb"](url, read_only=read_only, create=create)
    factory = _BACKENDS.get(scheme)
    if factory is None:
        raise DataError(
            f"unknown database URL scheme {scheme!r} in {_redact(url)} — use a DuckDB file path "
            f"or one of: {', '.join(sorted(_BACKENDS))}"
        )
    target = rest if scheme == "duckdb" else url
    return factory(target, read_only=read_only, create=create)
