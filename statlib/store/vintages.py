"""Vintages as published: the day each vintage was published and which value stood when.

A vintage is one load (the ``vintage`` table). Its publication date is ``published`` when the
load was given one (``statlib ingest --published``, a file's ``发布时间`` line), else the day it
was loaded stands in. Vintages are ordered by (publication date, id): a file loaded late with
an early date takes its place among the others by publication, not by load. For each key
(indicator, region, period) a query takes one stored row:

- ``vintage="latest"``: the row of the last vintage in that order (as published last);
- ``vintage="first"``: the row of the first (as first published);
- ``vintage=ID``: the last up to vintage ID (as it stood when ID was published: the vintages
  published before it, and those of the same day up to ID by id);
- ``as_of="YYYY-MM-DD"``: the last published on or before that day (ALFRED's real-time
  period); a key nothing was published for by then is missing.

>>> order = Order.of([(1, dt.date(2025, 2, 1)), (2, dt.date(2024, 1, 19))])
>>> order.ids          # vintage 2 was published first, although loaded second
(2, 1)
>>> sorted(order.allowed(Selection.parse("first", None)))
[1, 2]
>>> sorted(order.allowed(Selection.parse("latest", "2024-06-30")))
[2]
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from statlib._lazy import LazyModule
from statlib.errors import ConfigError, DataError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = LazyModule("numpy")
    pd = LazyModule("pandas")

if TYPE_CHECKING:
    from statlib.store.backends import Backend

__all__ = [
    "PUBLISHED",
    "Order",
    "Selection",
    "clause",
    "day",
    "parse_date",
    "pick",
    "read_log",
    "read_order",
    "revision_table",
]

#: the publication date of vintage ``v`` in SQL: given, else the day it was loaded
PUBLISHED = "coalesce(v.published, CAST(v.loaded_at AS DATE))"

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
KEY = ["indicator", "region", "period"]


def parse_date(value: object, name: str) -> dt.date:
    """A date given as ``YYYY-MM-DD`` (or a ``date``), else a ConfigError naming ``name``.

    >>> parse_date("2024-03-01", "as_of")
    datetime.date(2024, 3, 1)
    >>> parse_date("2024-02-30", "as_of")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    statlib.errors.ConfigError: as_of must be a date written YYYY-MM-DD (...), not '2024-02-30'
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip() if isinstance(value, str) else None
    if text is not None and _ISO.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise ConfigError(f"{name} must be a date written YYYY-MM-DD (2024-03-01), not {value!r}")


@dataclass(frozen=True)
class Selection:
    """Which row of each key a query takes: ``how`` is latest, first, vintage or as_of."""

    how: str
    vintage: int = 0
    day: dt.date | None = None

    @classmethod
    def parse(cls, vintage: object, as_of: object) -> Selection:
        """The selection of a query's ``vintage`` and ``as_of`` arguments (checked here)."""
        if as_of is not None:
            if vintage not in ("latest", None):
                raise ConfigError(
                    f"give vintage={vintage!r} or as_of={as_of!r}, not both: as_of is the day "
                    "the values stood, vintage a load"
                )
            return cls("as_of", day=parse_date(as_of, "as_of"))
        if vintage in ("latest", "first"):
            return cls(str(vintage))
        if isinstance(vintage, bool):
            vid = -1
        else:
            try:
                vid = int(str(vintage))
            except ValueError:
                vid = -1
        if vid < 1:
            raise DataError(
                f"vintage must be 'latest', 'first' or a vintage id, not {vintage!r} (for the "
                "values as they stood on a day, pass as_of='YYYY-MM-DD')"
            )
        return cls("vintage", vintage=vid)


@dataclass(frozen=True)
class Order:
    """The vintages in publication order: ``ids`` sorted by (published, id)."""

    ids: tuple[int, ...]
    published: dict[int, dt.date]
    given: frozenset[int] = frozenset()  # vintages whose date was given (not a load date)

    @classmethod
    def of(cls, rows: Iterable[tuple[int, dt.date]], given: Iterable[int] = ()) -> Order:
        days = {int(i): d for i, d in rows}
        return cls(tuple(sorted(days, key=lambda i: (days[i], i))), days, frozenset(given))

    @classmethod
    def read(cls, frame: pd.DataFrame) -> Order:
        """From the vintage table's ``id``, ``published`` and ``loaded_at`` columns."""
        rows, given = [], []
        for vid, published, loaded in zip(
            frame["id"], frame["published"], frame["loaded_at"], strict=True
        ):
            if published is not None and not pd.isna(published):
                rows.append((int(vid), day(published)))
                given.append(int(vid))
            else:
                rows.append((int(vid), day(loaded)))
        return cls.of(rows, given)

    @property
    def in_id_order(self) -> bool:
        """Whether publication order is load order (no file was loaded out of order)."""
        return list(self.ids) == sorted(self.ids)

    def allowed(self, sel: Selection) -> list[int]:
        """The vintages a selection may take rows from, in publication order."""
        if sel.how == "as_of":
            assert sel.day is not None
            return [i for i in self.ids if self.published[i] <= sel.day]
        if sel.how == "vintage":
            if sel.vintage not in self.published:
                raise _no_vintage(sel.vintage, max(self.ids, default=0))
            return list(self.ids[: self.ids.index(sel.vintage) + 1])
        return list(self.ids)

    def ranks(self, sel: Selection) -> np.ndarray:
        """Rank of each vintage id (index) in publication order; -1 where ``sel`` excludes it."""
        table = np.full(max(self.ids, default=0) + 1, -1, dtype=np.int64)
        for rank, vid in enumerate(self.allowed(sel)):
            table[vid] = rank
        return table


def _no_vintage(vid: int, last: int) -> DataError:
    return DataError(
        f"vintage {vid} does not exist (the store has vintages 1 to {last}) — see "
        "`statlib db info --vintages`"
    )


def clause(sel: Selection, backend: Backend, published: bool = True) -> tuple[str, list[Any], str]:
    """The selection in SQL, for a store that cannot keep the order (another writer may add a
    vintage: PostgreSQL, a writable DuckDB file): the condition to add to a query of
    ``observation`` joined with ``vintage v``, its parameters, and the ORDER BY terms after
    the key that put each key's chosen row first under ``DISTINCT ON``."""
    pub = PUBLISHED if published else "CAST(v.loaded_at AS DATE)"
    way = "ASC" if sel.how == "first" else "DESC"
    terms = f"{pub} {way}, vintage {way}"
    if sel.how == "as_of":
        return f" AND {pub} <= CAST(? AS DATE)", [sel.day], terms
    if sel.how != "vintage":
        return "", [], terms
    found = backend.query(f"SELECT {pub} AS day FROM vintage v WHERE v.id = ?", [sel.vintage])
    if found.empty:
        raise _no_vintage(
            sel.vintage, int(backend.scalar("SELECT coalesce(max(id), 0) FROM vintage"))
        )
    on = day(found.iat[0, 0])
    where = f" AND ({pub} < CAST(? AS DATE) OR ({pub} = CAST(? AS DATE) AND vintage <= ?))"
    return where, [on, on, sel.vintage], terms


def pick(frame: pd.DataFrame, ranks: np.ndarray, first: bool) -> pd.DataFrame:
    """One row per key: the last allowed vintage's in publication order (the first's when
    ``first``), ordered by indicator, region and period."""
    if frame.empty:
        return frame.reset_index(drop=True)
    vids = frame["vintage"].to_numpy(dtype=np.int64)
    known = vids < len(ranks)
    rank = np.where(known, ranks[np.where(known, vids, 0)], -1)
    keep = rank >= 0
    if not keep.all():
        frame, rank = frame[keep], rank[keep]
    if frame.empty:
        return frame.reset_index(drop=True)
    cols = [frame[c].to_numpy(dtype=object) for c in reversed(KEY)]
    order = np.lexsort((-rank if first else rank, *cols))
    # the last row of each key in that order: where the next row's key differs
    last = np.ones(len(order), dtype=bool)
    if len(order) > 1:
        same = np.ones(len(order) - 1, dtype=bool)
        for col in cols:
            sorted_col = col[order]
            same &= sorted_col[1:] == sorted_col[:-1]
        last[:-1] = ~same
    return frame.iloc[order[last]].reset_index(drop=True)


def read_log(backend: Backend, published: bool = True) -> pd.DataFrame:
    """The vintage table by id, ``published`` as dates (None: not given) and ``dated_by``
    saying which date orders each vintage. ``published=False``: a store of schema 2 read
    as it is (no column: every vintage dated by its load)."""
    frame = _query(
        backend, published, "id, loaded_at, source, sha256, reader, rows_read, rows_added, note"
    )
    days = [None if d is None or pd.isna(d) else day(d) for d in frame["published"]]
    frame["published"] = pd.Series(days, index=frame.index, dtype=object)
    frame["dated_by"] = ["loaded_at" if d is None else "published" for d in days]
    return frame


def read_order(backend: Backend, published: bool = True) -> Order:
    """The vintages in publication order, read from the store (three columns)."""
    return Order.read(_query(backend, published, "id, loaded_at"))


def _query(backend: Backend, published: bool, cols: str) -> pd.DataFrame:
    pub = "published" if published else "NULL AS published"
    return backend.query(f"SELECT {cols}, {pub} FROM vintage ORDER BY id")


REVISION_COLUMNS = [
    "first",
    "first_published",
    "first_vintage",
    "latest",
    "latest_published",
    "latest_vintage",
    "revision",
    "revision_pct",
]


def revision_table(first: pd.DataFrame, latest: pd.DataFrame, order: Order) -> pd.DataFrame:
    """By period: the value as first published (``first``, ``first_published``,
    ``first_vintage``), as last published (``latest`` …), ``revision`` = latest − first and
    ``revision_pct`` = the revision in % of the first (NaN where the first is 0 or missing).

    ``first`` and ``latest`` are one series' observations (``Store.observations`` with
    ``vintage="first"`` and ``"latest"``)."""
    a = first.set_index("period")[["value", "vintage"]]
    b = latest.set_index("period")[["value", "vintage"]].reindex(a.index)
    out = pd.DataFrame(index=pd.Index(a.index.astype(str), name="period"))
    for name, part in (("first", a), ("latest", b)):
        out[name] = part["value"].to_numpy(dtype=float)
        vids = [int(v) for v in part["vintage"]]
        out[f"{name}_published"] = [order.published.get(v) for v in vids]
        out[f"{name}_vintage"] = vids
    out["revision"] = out["latest"] - out["first"]
    base = out["first"].where(out["first"] != 0)
    out["revision_pct"] = out["revision"] / base.abs() * 100
    return out[REVISION_COLUMNS]


def day(value: object) -> dt.date:
    """A date, datetime, Timestamp or datetime64 as a ``datetime.date``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()  # type: ignore[arg-type]
