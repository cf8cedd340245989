"""The publication registry's tables (``publication``, ``publication_event``): its SQL, here in
the store; ``statlib.registry`` keeps the domain (numbering, review states, embargo, calendar).

A key is ``(series, year, issue, edition, supplement)`` (``registry.PubKey``).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from statlib.errors import RegistryError
from statlib.store.backends import Backend

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COLUMNS",
    "add_event",
    "ensure",
    "events",
    "exists",
    "insert",
    "issue_of_period",
    "last_issue",
    "lock_for_numbering",
    "select",
    "update",
]

#: the columns of ``publication`` a registry row holds (``schema.DDL``)
COLUMNS = tuple(
    "series year supplement issue edition period title status files data_vintage code_version "
    "embargo created_at updated_at updated_by".split()
)
_KEY_WHERE = "series = ? AND year = ? AND issue = ? AND edition = ? AND supplement = ?"
_FILTERS = ("series", "year", "issue", "edition", "supplement", "period", "status")
_UPDATABLE = tuple("status updated_at updated_by embargo files data_vintage code_version".split())

Key = Sequence[Any]  # (series, year, issue, edition, supplement)

_ENSURED: set[int] = set()


def _key(key: Key) -> tuple[Any, ...]:
    series, year, issue, edition, supplement = key
    return (series, int(year), int(issue), edition, bool(supplement))


def ensure(backend: Backend) -> None:
    """The registry tables exist (a database made before the registry has an empty old table)."""
    if id(backend) in _ENSURED:
        return
    try:
        backend.records("SELECT supplement FROM publication LIMIT 0")
    except Exception:
        if int(backend.scalar("SELECT count(*) FROM publication")):
            raise RegistryError(
                "the publication table predates the registry and is not empty; "
                "move its rows aside, drop it and retry"
            ) from None
        with backend.transaction():
            backend.execute("DROP TABLE publication")
        backend.create_schema()
    _ENSURED.add(id(backend))


def select(backend: Backend, **equal: Any) -> list[dict[str, Any]]:
    """The publication rows whose columns equal ``equal`` (series, year, issue, edition,
    supplement, period, status; None is no condition), in registry order."""
    unknown = sorted(set(equal) - set(_FILTERS))
    if unknown:
        raise RegistryError(f"no registry filter {unknown[0]!r}; use {', '.join(_FILTERS)}")
    wanted = {k: v for k, v in equal.items() if v is not None}
    if backend.snapshot:  # the rows cannot change under this connection: read them once
        rows = _SNAPSHOTS.get(backend)
        if rows is None:
            rows = _SNAPSHOTS[backend] = _rows(backend, {})
        return [dict(r) for r in rows if all(r[k] == v for k, v in wanted.items())]
    return _rows(backend, wanted)


# every publication row of a read-only DuckDB store, read by its first select: numbering the
# thirty jobs of a cached build asks some sixty questions of one table (issue 17)
_SNAPSHOTS: weakref.WeakKeyDictionary[Backend, list[dict[str, Any]]] = weakref.WeakKeyDictionary()


def _rows(backend: Backend, wanted: dict[str, Any]) -> list[dict[str, Any]]:
    where = " AND ".join([f"{k} = ?" for k in wanted] or ["1=1"])
    return backend.records(
        f"SELECT {', '.join(COLUMNS)} FROM publication WHERE {where} "
        "ORDER BY year, series, supplement, issue, edition",
        list(wanted.values()),
    )


def lock_for_numbering(backend: Backend) -> None:
    """Inside a transaction: serialise registrations where the backend has concurrent writers
    that a transaction does not keep out (``Backend.locks_tables``)."""
    if backend.locks_tables:
        backend.execute("LOCK TABLE publication IN SHARE ROW EXCLUSIVE MODE")


def issue_of_period(backend: Backend, series: str, year: int, period: str) -> int | None:
    """The number of the regular issue of ``series`` for ``period``, if one is registered."""
    issue = backend.scalar(
        "SELECT max(issue) FROM publication WHERE series = ? AND year = ? "
        "AND supplement = ? AND period = ?",
        (series, year, False, period),
    )
    return None if issue is None else int(issue)


def last_issue(backend: Backend, series: str, year: int, supplement: bool) -> int:
    """The highest issue number of a series and year (0 if none), regular or 增刊."""
    top = backend.scalar(
        "SELECT coalesce(max(issue), 0) FROM publication "
        "WHERE series = ? AND year = ? AND supplement = ?",
        (series, year, bool(supplement)),
    )
    return int(top)


def exists(backend: Backend, key: Key) -> bool:
    """Whether ``key`` is registered."""
    found = backend.scalar(f"SELECT count(*) FROM publication WHERE {_KEY_WHERE}", _key(key))
    return bool(int(found))


def insert(
    backend: Backend,
    key: Key,
    period: str,
    title: str,
    embargo: datetime | None,
    stamp: datetime,
    who: str,
) -> None:
    """A new publication row, in draft."""
    series, year, issue, edition, supplement = _key(key)
    backend.execute(
        "INSERT INTO publication (series, year, supplement, issue, edition, period, "
        "title, status, embargo, created_at, updated_at, updated_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?)",
        (series, year, supplement, issue, edition, period, title, embargo, stamp, stamp, who),
    )


def update(backend: Backend, key: Key, **columns: Any) -> None:
    """Set ``columns`` (status, updated_at, updated_by, embargo, files, data_vintage,
    code_version) of the publication ``key``."""
    unknown = sorted(set(columns) - set(_UPDATABLE))
    if not columns or unknown:
        raise RegistryError(f"cannot update {unknown or 'nothing'}; use {', '.join(_UPDATABLE)}")
    sets = ", ".join(f"{c} = ?" for c in columns)
    backend.execute(
        f"UPDATE publication SET {sets} WHERE {_KEY_WHERE}", (*columns.values(), *_key(key))
    )


def add_event(
    backend: Backend,
    key: Key,
    old: str | None,
    new: str,
    who: str,
    at: datetime,
    reason: str,
) -> None:
    """Append a move of publication ``key`` to its history (the next ``seq``)."""
    k = _key(key)
    seq = backend.scalar(
        f"SELECT coalesce(max(seq), 0) FROM publication_event WHERE {_KEY_WHERE}", k
    )
    series, year, issue, edition, supplement = k
    backend.execute(
        "INSERT INTO publication_event (series, year, supplement, issue, edition, seq, "
        "from_status, to_status, who, happened_at, reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (series, year, supplement, issue, edition, int(seq) + 1, old, new, who, at, reason),
    )


def events(backend: Backend, key: Key) -> pd.DataFrame:
    """Every move of a publication: seq, from_status, to_status, who, happened_at, reason."""
    return backend.query(
        "SELECT seq, from_status, to_status, who, happened_at, reason FROM publication_event "
        f"WHERE {_KEY_WHERE} ORDER BY seq",
        _key(key),
    )
