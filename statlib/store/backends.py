"""Store backends: a DuckDB file (the embedded default) and a PostgreSQL server.

Both speak the same small interface — ``query``, ``execute``, ``transaction`` and ``copy_in`` —
and the same SQL (``?`` placeholders, ``DISTINCT ON``); ``Store`` is written once on top of it.
Backends are registered by URL scheme, the built-ins the same way as any other.

Concurrent writers: on PostgreSQL every write transaction first takes the store's advisory lock
(``WRITE_LOCK_KEY``), so writers take turns — two ingests at once both succeed, one after the
other, each with its own vintage; a writer that waits longer than ``STATLIB_LOCK_WAIT`` seconds
stops (``StoreLockedError``, exit code 3) naming the holder's statlib process, PID and host.
On DuckDB the file admits one writer (or many readers): a second writer stops at once with
``StoreLockedError`` naming the holder's program and PID — nothing of it is stored; retry
when the holder has finished.
"""

from __future__ import annotations

import os
import re
import socket
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from statlib import config
from statlib._lazy import LazyModule
from statlib.errors import ConfigError, DataError, StoreLockedError
from statlib.store import schema

if TYPE_CHECKING:
    from typing import TypeAlias

    import pandas as pd
    import pyarrow as pa

    Rows: TypeAlias = pd.DataFrame | pa.Table
else:
    pd = LazyModule("pandas")
    pa = LazyModule("pyarrow")

__all__ = ["Backend", "DuckDBBackend", "PostgresBackend", "open_backend", "register_backend"]

#: the advisory lock every write transaction on PostgreSQL takes first (``Statlib1`` in ASCII):
#: writers of one database run one after the other, so a vintage id (max + 1) is never taken twice
WRITE_LOCK_KEY = 0x5374_6174_6C69_6231


def quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """``con`` without DuckDB's text progress bar: it prints on the process's stdout once a query
    runs for 2 s, and on a loaded machine ran into a build's own lines and its --json output. In a
    Jupyter kernel DuckDB draws no text bar and refuses the setting (it wants ipywidgets)."""
    try:
        con.execute("SET enable_progress_bar_print = false")
    except duckdb.InvalidInputException:
        pass  # a Jupyter kernel: no text bar to silence
    return con


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<prog>.+?) \(PID (?P<pid>\d+)\)")


class Backend:
    """What ``Store`` needs of a database. Subclasses implement the six methods.

    Callers ask a backend what it can do through its capabilities (the attributes below),
    never through its class."""

    name = "abstract"
    url = ""
    read_only = True
    #: no other connection can change the data while this one is open (a read-only DuckDB
    #: file: its lock keeps writers out), so reads may be cached
    snapshot = False
    #: other connections may write at the same time, so a writer that must see every row of a
    #: table (numbering) locks the table inside its transaction (PostgreSQL); a DuckDB file
    #: admits one writer
    locks_tables = False
    #: the DuckDB connection holding the store's own data, when the backend is one: the
    #: loader then inserts in place; None elsewhere (it stages rows in a private DuckDB)
    duckdb: duckdb.DuckDBPyConnection | None = None

    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        raise NotImplementedError

    def records(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The rows of ``sql`` as dicts of plain Python values (None for NULL), without
        pandas: what the registry reads, many small queries where a frame costs more than
        the query."""
        raise NotImplementedError

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[None]:
        raise NotImplementedError
        yield

    def copy_in(self, table: str, frame: Rows) -> None:
        """Append the rows of ``frame`` (columns named as the table's) inside the transaction.

        A pandas frame's missing values (NaN, None, NA) are stored as NULL — DuckDB's reading of
        a pandas frame, on both backends. An Arrow table keeps NULL and NaN apart: NULL stays
        NULL and a float NaN stays NaN, on both backends alike."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def create_schema(self) -> None:
        raise NotImplementedError

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self.records(sql, params)
        return next(iter(rows[0].values())) if rows else None


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
            self.con = self.duckdb = quiet(duckdb.connect(str(self.path), read_only=read_only))
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
        for stmt in schema.ddl("DOUBLE", schema.OBS_KEY):
            self.con.execute(stmt)

    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        return self.con.execute(sql, list(params)).df()

    def records(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, list(params))
        cols = [d[0] for d in cur.description or ()]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

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

    def copy_in(self, table: str, frame: Rows) -> None:
        self.con.register("_statlib_copy_in", frame)
        try:
            cols = ", ".join(frame.column_names if isinstance(frame, pa.Table) else frame.columns)
            self.con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _statlib_copy_in")
        finally:
            self.con.unregister("_statlib_copy_in")

    def close(self) -> None:
        self.con.close()


class PostgresBackend(Backend):
    """A PostgreSQL server, for a bureau that shares one database among several machines."""

    name = "postgresql"
    locks_tables = True

    def __init__(self, url: str, *, read_only: bool, create: bool) -> None:
        try:
            import psycopg
        except ImportError:
            raise ConfigError(
                f"{_redact(url)}: a PostgreSQL store needs psycopg: "
                "pip install 'statlib[postgresql]'"
            ) from None

        self.url = url
        self.read_only = read_only
        #: seconds a write transaction waits for another writer's lock (``STATLIB_LOCK_WAIT``)
        self.lock_wait = _lock_wait()
        extra: dict[str, Any] = {}
        try:
            if "application_name" not in psycopg.conninfo.conninfo_to_dict(url):
                extra["application_name"] = _who()[:63]
            self.con = psycopg.connect(url, autocommit=True, **extra)
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
        return _to_pyformat(sql)

    def _fetch(self, sql: str, params: Sequence[Any]) -> tuple[list[str], list[Any]]:
        with self.con.cursor() as cur:
            cur.execute(self._sql(sql), list(params))
            return [d.name for d in cur.description or ()], cur.fetchall()

    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        cols, rows = self._fetch(sql, params)
        return pd.DataFrame(rows, columns=cols)

    def records(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cols, rows = self._fetch(sql, params)
        return [dict(zip(cols, row, strict=True)) for row in rows]

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(self._sql(sql), list(params))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction; a writable store's takes the write lock first (``WRITE_LOCK_KEY``),
        waiting at most ``lock_wait`` seconds for a writer that holds it, so concurrent writers
        (two ingests, an ingest and a publish) run one after the other and each reads the ids
        the one before it committed. Released at commit or rollback, also when a writer dies."""
        errors = self._psycopg.errors
        locking = False
        try:
            with self.con.transaction():
                if not self.read_only:
                    locking = True
                    row = self.con.execute(
                        "SELECT current_setting('lock_timeout'), "
                        "set_config('lock_timeout', %s, true)",
                        [f"{self.lock_wait}s"],
                    ).fetchone()
                    self.con.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK_KEY])
                    self.con.execute(
                        "SELECT set_config('lock_timeout', %s, true)", [row[0] if row else "0"]
                    )
                    locking = False
                yield
        except errors.LockNotAvailable as exc:
            if not locking:
                raise
            raise StoreLockedError(
                f"cannot write to {_redact(self.url)}: another writer holds the store's write "
                f"lock ({self._lock_holder()}) and did not finish within {self.lock_wait:g} s — "
                "wait for it to finish (or stop it), then retry; STATLIB_LOCK_WAIT sets how long "
                "a writer waits"
            ) from exc

    def _lock_holder(self) -> str:
        """Who holds the write lock: the holder's statlib process and host (its connection's
        application name), and its server process."""
        rows = self.query(
            "SELECT a.pid, a.application_name, a.client_addr FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
            "AND l.granted AND l.classid = ? AND l.objid = ? AND l.objsubid = 1",
            [WRITE_LOCK_KEY >> 32, WRITE_LOCK_KEY & 0xFFFF_FFFF],
        )
        if rows.empty:
            return "it has finished since: retry now"
        pid, app, addr = rows.iloc[0]
        where = f" from {addr}" if addr is not None and not pd.isna(addr) else ""
        return f"{app or 'a client'}{where}, server process {pid}"

    def copy_in(self, table: str, frame: Rows) -> None:
        if isinstance(frame, pa.Table):
            cols = ", ".join(frame.column_names)
            rows: Iterator[tuple[Any, ...]] = zip(
                *(c.to_pylist() for c in frame.columns), strict=True
            )
        else:
            cols = ", ".join(frame.columns)
            rows = (
                tuple(None if _isna(v) else v for v in row)
                for row in frame.itertuples(index=False, name=None)
            )
        with self.con.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def close(self) -> None:
        self.con.close()


# a quoted string, a quoted identifier, a comment, or one character that matters
_SQL_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|[?%]", re.S)


def _to_pyformat(sql: str) -> str:
    """``?`` placeholders (the DuckDB spelling) as psycopg's ``%s``, every literal ``%`` as
    ``%%``: psycopg reads ``%`` as the start of a placeholder anywhere in the text, quoted or not
    (``LIKE '%C%'`` would read as a placeholder ``%C``). A ``?`` inside quotes or a comment is
    text, as DuckDB reads it."""

    def one(m: re.Match[str]) -> str:
        token = m.group(0)
        if token == "?":
            return "%s"
        return token.replace("%", "%%")

    return _SQL_TOKEN.sub(one, sql)


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _lock_wait() -> float:
    text = config.get("lock_wait")
    try:
        wait = float(text)
    except ValueError:
        wait = -1.0
    if not 0 < wait < 86_400:
        raise DataError(f"STATLIB_LOCK_WAIT={text!r}: write a number of seconds, e.g. 300")
    return wait


def _who() -> str:
    """This process, as other writers' messages name it: ``statlib ingest (PID 42 on host)``."""
    prog = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    if prog in ("cli.py", "__main__.py", "-c", "-m"):
        prog = "statlib"
    verb = next((a for a in sys.argv[1:2] if re.fullmatch(r"[a-z][a-z-]*", a)), "")
    return f"{prog} {verb} (PID {os.getpid()} on {socket.gethostname()})".replace("  ", " ")


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
