"""Check a batch against the store and load it in one transaction, as a new vintage.

A load is all-or-nothing: it adds a vintage holding exactly the values that are new or changed
against the values that stood on the batch's publication date (``statlib.store.vintages``: the
date given, else the load date), or it adds nothing. Values already stored are never updated.

A batch published before vintages already stored (a file loaded out of order) changes no answer
for the days on or after their publication: where it stores a value of a key that the first
later vintage carrying the same indicator omitted (a load stores only what changed, so that
vintage implied the value standing before it), the value that stood is materialised into that
vintage — ``latest`` stays the later file's value, ``as_of`` a day in between gives the batch's.
Keys are canonicalised before any check: codes, names and periods are compared in NFKC form
(full-width digits and letters become ASCII), names and aliases become codes and periods their
canonical spelling (``2023年1月``, ``2023-1`` → ``2023-01``), so that two spellings of one key are
one key. The store enforces the key (indicator, region, period, vintage) on both backends.

On a DuckDB store the batch is bulk-inserted straight into ``observation`` under the new vintage
id, checked there with set-based SQL and kept only if every check passes (the transaction rolls
back otherwise); when the store's key refuses a row, the load runs again through a staging
table, whose checks name the duplicated rows. On PostgreSQL the checks always run in a DuckDB
staging database first and the rows travel by COPY.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

from statlib.errors import ConfigError
from statlib.ingest.base import BATCH_COLUMNS, Batch, norm
from statlib.ingest.limits import Clock
from statlib.ingest.verify import (
    NUMERIC,
    check_length,
    check_loaded,
    diagnose,
    unknown,
    unregister,
)
from statlib.store import schema
from statlib.store.backends import quiet
from statlib.store.store import Store
from statlib.store.vintages import PUBLISHED

__all__ = ["LoadReport", "load_batch"]

_STAGE = (
    "CREATE OR REPLACE TEMP TABLE _statlib_stage (indicator VARCHAR NOT NULL, "
    "region VARCHAR NOT NULL, period VARCHAR NOT NULL, vintage INTEGER, value DOUBLE, "
    "flags VARCHAR, contributors INTEGER, top1_share DOUBLE, top2_share DOUBLE)"
)


@dataclass(frozen=True)
class LoadReport:
    """What one file's load did."""

    file: str
    reader: str
    rows_read: int
    rows_added: int
    vintage: int | None
    message: str = ""
    #: the publication date of the vintage (``YYYY-MM-DD``), "" when the load date stands in
    published: str = ""


class _NothingNew(Exception):
    def __init__(self, rows_read: int) -> None:
        self.rows_read = rows_read


class _KeyClash(Exception):
    """The store's key refused a row of the direct load: load again through a staging table."""


def _resolvers(store: Store, batch: Batch) -> tuple[dict[str, str], dict[str, str]]:
    """Reference (NFKC) → code for indicators and regions (codes, names, aliases).

    An ambiguous name maps to ``""`` (rejected with the candidates named). A name the catalogue
    lacks is refused, never created: a typo would start a new series."""
    indicators: dict[str, str] = {}
    for ind in store._indicators.values():
        target = ind.code
        if batch.value_kind == "growth" and not ind.is_growth:
            partner = store.growth_indicator(ind.code)
            target = partner.code if partner else ""
        for key in map(norm, (ind.code, ind.name, *[a for a in ind.aliases.split("|") if a])):
            if key in indicators and indicators[key] != target and key != norm(ind.code):
                indicators[key] = ""
            elif key not in indicators or key == norm(ind.code):
                indicators[key] = target
    regions = {norm(r.code): r.code for r in store._regions.values()}
    for r in store._regions.values():
        regions.setdefault(norm(r.name), r.code)
    for r in store._regions.values():  # 内蒙古, 上海: a province's short name (NBS panels use it)
        regions.setdefault(norm(r.short_name), r.code)
    return indicators, regions


def _map_references(
    store: Store,
    batch: Batch,
    duck: duckdb.DuckDBPyConnection,
    table: str,
    where: str,
    role: str,
    mapping: dict[str, str],
    clock: Clock,
) -> None:
    """Replace names, aliases and other spellings by codes in the loaded rows; reject unknown
    references. Works on the few distinct references, so a file written with codes costs one
    scan."""
    found = [
        r for (r,) in duck.execute(f"SELECT DISTINCT {role} FROM {table} WHERE {where}").fetchall()
    ]
    for ref in found:
        check_length(batch, clock, role, ref)
        if not mapping.get(norm(ref)):
            row, column = _position(batch, role, ref)
            if not norm(ref):
                raise batch.error(
                    f"{role} is empty",
                    row=row,
                    column=column,
                    hint=f"fill in the {role} code or name",
                )
            problem, hint = unknown(store, role, ref, batch)
            raise batch.error(problem, row=row, column=column, hint=hint)
    changes = [(ref, mapping[norm(ref)]) for ref in found if mapping[norm(ref)] != ref]
    if changes:
        duck.register("_statlib_refs", pd.DataFrame(changes, columns=["key", "code"]))
        try:
            duck.execute(
                f"UPDATE {table} SET {role} = m.code FROM _statlib_refs m "
                f"WHERE {table}.{role} = m.key AND {table}.{where}"
            )
        finally:
            unregister(duck, "_statlib_refs")


def _position(batch: Batch, role: str, ref: str) -> tuple[int | None, str | None]:
    """Where a reference is written: the NBS ``指标：`` line, else its first row."""
    if role == "indicator" and ref in batch.unit_at and batch.frame is not None:
        fixed = batch.frame["indicator"].astype(str)
        if (fixed == ref).all():  # one indicator named above the table
            return batch.unit_at[ref]
    return batch.locate(role, ref)


def _source_sql(batch: Batch) -> str:
    if batch.frame is not None:
        return "_statlib_src"
    assert batch.csv is not None
    number = "VARCHAR" if batch.underscore else "DOUBLE"
    cols = ", ".join(
        f"'{role or f'_skip{i}'}': '{number if role in NUMERIC else 'VARCHAR'}'"
        for i, role in enumerate(batch.csv.names)
    )
    path = str(batch.csv.path).replace("'", "''")
    return (
        f"(SELECT * FROM read_csv('{path}', header=true, auto_detect=false, "
        f"delim='{batch.csv.delimiter}', quote='\"', escape='\"', strict_mode=true, "
        f"null_padding=false, columns={{{cols}}}))"
    )


def _select(batch: Batch, vid: int) -> str:
    """The rows of the batch as observation rows. A number DuckDB reads but the store refuses
    (NaN, inf, 1_000, a fractional count of contributors) stops the insert; the diagnosis then
    names its row."""
    present = set(batch.csv.names) if batch.csv is not None else set(BATCH_COLUMNS)
    text = batch.csv is not None and batch.underscore

    def number(name: str) -> str:
        if name not in present:
            return "CAST(NULL AS DOUBLE)"
        v = f"s.{name}"
        if text:
            v = (
                f"CAST(CASE WHEN strpos({v}, '_') > 0 THEN error('statlib: _ in a number') "
                f"ELSE nullif(trim({v}), '') END AS DOUBLE)"
            )
        return (
            f"CASE WHEN {v} IS NULL OR isfinite({v}) THEN {v} "
            "ELSE error('statlib: a number is not finite') END"
        )

    if "contributors" in present:
        c = f"({number('contributors')})"
        contributors = (
            f"CASE WHEN {c} IS NULL OR {c} = trunc({c}) THEN CAST({c} AS INTEGER) "
            "ELSE error('statlib: a fractional count of contributors') END"
        )
    else:
        contributors = "CAST(NULL AS INTEGER)"
    flags = "nullif(upper(trim(s.flags)), '')" if "flags" in present else "CAST(NULL AS VARCHAR)"
    return (
        f"SELECT trim(s.indicator), trim(s.region), trim(s.period), {vid}, "
        f"{number('value')}, {flags}, {contributors}, "
        f"{number('top1_share')}, {number('top2_share')} "
        f"FROM {_source_sql(batch)} s"
    )


@dataclass(frozen=True)
class _When:
    """When a load happens (``loaded_at``) and the publication date it takes its place at:
    ``given`` (the caller's, else the file's), else the load date."""

    loaded_at: datetime
    given: date | None

    @property
    def day(self) -> date:
        return self.given or self.loaded_at.date()


def load_batch(
    store: Store, batch: Batch, *, revise: bool = False, published: date | None = None
) -> LoadReport:
    """Check ``batch`` and store its new or changed values as one new vintage.

    ``published`` is the batch's publication date (default: the date its file states, else the
    load date); values are compared with those that stood on that day. A file whose content
    equals an earlier vintage adds nothing unless ``revise``: then it is loaded as a revision, a
    new vintage holding its values where they differ from those standing on its date.
    """
    if store.backend.read_only:
        raise ConfigError("the store is open read-only: open it with open_store(read_only=False)")
    if not store._published:  # a store of schema 2 opened by hand: give it the column first
        schema.migrate(store.backend)
        store._published = True
    when = _When(datetime.now().replace(microsecond=0), published or batch.published)
    prev = store.backend.scalar("SELECT min(id) FROM vintage WHERE sha256 = ?", [batch.sha256])
    prev = None if prev is None or pd.isna(prev) else int(prev)
    refs = dict(zip(("indicator", "region"), _resolvers(store, batch), strict=True))
    clock = Clock(batch.file)
    on_duck = store.backend.duckdb is not None  # the store is a DuckDB file: insert in place
    note = batch.note
    if prev is not None:
        note = (note + "\n" if note else "") + f"revision: the content of vintage {prev} again"
    dry = prev is not None and not revise  # count what a revision would change, keep nothing
    try:
        try:
            return _load(store, batch, refs, clock, when, staged=not on_duck, note=note, dry=dry)
        except _KeyClash:
            return _load(store, batch, refs, clock, when, staged=True, note=note, dry=dry)
    except _DryRun as run:
        assert prev is not None  # only a file stored before is tried dry
        return _same_content(store, batch, prev, run.rows_added, when)


class _DryRun(Exception):
    def __init__(self, rows_added: int) -> None:
        self.rows_added = rows_added


def _same_content(store: Store, batch: Batch, prev: int, differ: int, when: _When) -> LoadReport:
    later = _later(store, when.day)
    if not differ:
        stand = f"still stand on {when.day}" if later else "are still the latest"
        message = f"same content as vintage {prev}: nothing added (its values {stand})"
    elif later:
        message = (
            f"same content as vintage {prev}, but {differ} of its values were changed by "
            f"vintages published up to {when.day}: nothing added — --revise (revise=True) "
            f"would store them as published on {when.day}, before {later} later vintages "
            "(to make them current, give the date of the revision with --published)"
        )
    else:
        message = (
            f"same content as vintage {prev}, but {differ} of its values were changed "
            f"since (latest vintage {store.latest_vintage()}): nothing added — to make "
            "this file's values current again, load it with --revise (revise=True)"
        )
    return LoadReport(batch.file, batch.reader, 0, 0, None, message, _iso(when.given))


def _later(store: Store, day: date) -> int:
    """How many vintages were published after ``day``."""
    return int(
        store.backend.scalar(
            f"SELECT count(*) FROM vintage v WHERE {PUBLISHED} > CAST(? AS DATE)", [day]
        )
    )


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _load(
    store: Store,
    batch: Batch,
    refs: dict[str, dict[str, str]],
    clock: Clock,
    when: _When,
    *,
    staged: bool,
    note: str,
    dry: bool = False,
) -> LoadReport:
    own = store.backend.duckdb  # the store's own DuckDB connection, or a private one
    duck = own if own is not None else quiet(duckdb.connect())
    if batch.frame is not None:
        duck.register("_statlib_src", batch.frame)
    timer = threading.Timer(max(clock.left(), 0.0), duck.interrupt)
    timer.daemon = True
    timer.start()
    try:
        with store.backend.transaction():
            vid = int(store.backend.scalar("SELECT coalesce(max(id), 0) FROM vintage")) + 1
            table, where = ("_statlib_stage" if staged else "observation"), f"vintage = {vid}"
            try:
                if staged:
                    duck.execute(_STAGE)
                try:
                    duck.execute(f"INSERT INTO {table} {_select(batch, vid)}")
                except duckdb.InterruptException:
                    raise
                except duckdb.ConstraintException as exc:
                    if "NOT NULL" not in str(exc):
                        raise  # the store's key: load again through the staging table
                    raise diagnose(store, batch, exc, refs, clock) from None
                except duckdb.Error as exc:
                    raise diagnose(store, batch, exc, refs, clock) from None
                for role, mapping in refs.items():
                    _map_references(store, batch, duck, table, where, role, mapping, clock)
                rows_read = check_loaded(store, batch, duck, table, where, refs, clock)
                rows_added = _keep_new(store, duck, table, where, vid, staged, when.day)
            except duckdb.ConstraintException:
                if staged:
                    raise
                raise _KeyClash from None
            except duckdb.InterruptException:
                raise clock.bounds.exceeded(
                    "timeout",
                    f"loading the file took more than {clock.bounds.timeout} s",
                    file=batch.file,
                ) from None
            if dry:
                raise _DryRun(rows_added)  # rolls the transaction back
            if rows_added == 0:
                raise _NothingNew(rows_read)
            kept = _materialise(store, vid, when.day)
            if kept:
                note = (note + "\n" if note else "") + (
                    f"published {when.day}, before vintages already stored: "
                    + ", ".join(f"{n} values of vintage {v}" for v, n in kept)
                    + " kept as they stood (materialised)"
                )
            store.backend.execute(
                "INSERT INTO vintage (id, loaded_at, source, sha256, reader, rows_read, "
                "rows_added, note, published) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    vid,
                    when.loaded_at,
                    batch.file,
                    batch.sha256,
                    batch.reader,
                    rows_read,
                    rows_added,
                    note or None,
                    when.given,
                ],
            )
    except _NothingNew as nothing:
        stand = f"stood on {when.day}" if when.given else "is already stored"
        return LoadReport(
            batch.file,
            batch.reader,
            nothing.rows_read,
            0,
            None,
            f"every value {stand}: nothing added",
            _iso(when.given),
        )
    finally:
        timer.cancel()
        if batch.frame is not None:
            unregister(duck, "_statlib_src")
        if staged:
            duck.execute("DROP TABLE IF EXISTS _statlib_stage")
        if own is None:
            duck.close()
    dated = f", published {when.given}" if when.given else ""
    held = "".join(f"; {n} values of vintage {v} kept as they stood" for v, n in kept)
    return LoadReport(
        batch.file,
        batch.reader,
        rows_read,
        rows_added,
        vid,
        f"vintage {vid}: {rows_added} new or changed values{dated}{held}",
        _iso(when.given),
    )


def _standing(day: date, inds: str) -> str:
    """The row of each key of indicators ``inds`` that stood on ``day``: of the last vintage
    published by then (ties by id). The vintage being loaded has no ``vintage`` row yet, so
    its own rows are never among them."""
    return (
        "(SELECT DISTINCT ON (o.indicator, o.region, o.period) o.* FROM observation o "
        f"JOIN vintage v ON v.id = o.vintage WHERE {PUBLISHED} <= DATE '{day.isoformat()}' "
        f"AND o.indicator IN ({inds}) "
        f"ORDER BY o.indicator, o.region, o.period, {PUBLISHED} DESC, o.vintage DESC)"
    )


def _keep_new(
    store: Store,
    duck: duckdb.DuckDBPyConnection,
    table: str,
    where: str,
    vid: int,
    staged: bool,
    day: date,
) -> int:
    """Drop rows equal to the value standing on the batch's publication date ``day``; the rest
    become the new vintage."""
    same = (
        "l.value IS NOT DISTINCT FROM n.value AND l.flags IS NOT DISTINCT FROM n.flags "
        "AND l.contributors IS NOT DISTINCT FROM n.contributors "
        "AND l.top1_share IS NOT DISTINCT FROM n.top1_share "
        "AND l.top2_share IS NOT DISTINCT FROM n.top2_share"
    )
    cols = ", ".join(schema.OBSERVATION_COLUMNS)
    if not staged:  # DuckDB, rows already in observation
        inds = f"SELECT DISTINCT indicator FROM observation WHERE vintage = {vid}"
        if store.backend.scalar(
            f"SELECT count(*) FROM observation WHERE vintage < {vid} AND indicator IN ({inds})"
        ):
            duck.execute(
                f"DELETE FROM observation n WHERE n.vintage = {vid} AND EXISTS (SELECT 1 FROM "
                f"{_standing(day, inds)} l WHERE l.indicator = n.indicator AND "
                f"l.region = n.region AND l.period = n.period AND {same})"
            )
        return int(store.backend.scalar(f"SELECT count(*) FROM observation WHERE vintage = {vid}"))
    if store.backend.duckdb is not None:  # staged in the store's own connection
        inds = "SELECT DISTINCT indicator FROM _statlib_stage"
        duck.execute(
            f"INSERT INTO observation ({cols}) SELECT {cols} FROM _statlib_stage n WHERE NOT "
            f"EXISTS (SELECT 1 FROM {_standing(day, inds)} l WHERE "
            f"l.indicator = n.indicator AND l.region = n.region AND l.period = n.period AND "
            f"{same})"
        )
        return int(store.backend.scalar(f"SELECT count(*) FROM observation WHERE vintage = {vid}"))
    # Arrow, not pandas: a NULL stays NULL and a NaN stays NaN, as on DuckDB (and COPY is faster)
    stage = duck.sql(
        f"SELECT {', '.join(schema.OBSERVATION_COLUMNS)} FROM _statlib_stage"
    ).to_arrow_table()
    be = store.backend
    be.execute("CREATE TEMP TABLE IF NOT EXISTS _statlib_new (LIKE observation)")
    be.execute("TRUNCATE _statlib_new")
    be.copy_in("_statlib_new", stage)
    inds = "SELECT DISTINCT indicator FROM _statlib_new"
    be.execute(
        f"INSERT INTO observation SELECT * FROM _statlib_new n WHERE NOT EXISTS (SELECT 1 FROM "
        f"{_standing(day, inds)} l WHERE l.indicator = n.indicator AND "
        f"l.region = n.region AND l.period = n.period AND {same})"
    )
    return int(be.scalar("SELECT count(*) FROM observation WHERE vintage = ?", [vid]))


def _materialise(store: Store, vid: int, day: date) -> list[tuple[int, int]]:
    """Keep the answers after a later vintage as they were when vintage ``vid`` is published
    (``day``) before vintages already stored: for each indicator of ``vid``, the first later
    vintage carrying it receives the value that stood before ``vid`` of every key ``vid``
    stores and it lacks (it omitted the key: unchanged at its load). Returns (vintage, values
    materialised) pairs; nothing when no vintage was published after ``day`` (an in-order
    load, the usual case: one count of the vintage table)."""
    if not _later(store, day):
        return []
    be = store.backend
    inds = f"SELECT DISTINCT indicator FROM observation WHERE vintage = {vid}"
    first_later = (
        f"(SELECT DISTINCT ON (o.indicator) o.indicator, o.vintage AS id FROM observation o "
        f"JOIN vintage v ON v.id = o.vintage WHERE {PUBLISHED} > DATE '{day.isoformat()}' "
        f"AND o.indicator IN ({inds}) ORDER BY o.indicator, {PUBLISHED}, o.vintage)"
    )
    body = (
        f"FROM observation n JOIN {first_later} f ON f.indicator = n.indicator "
        f"JOIN {_standing(day, inds)} p ON p.indicator = n.indicator "
        "AND p.region = n.region AND p.period = n.period "
        f"WHERE n.vintage = {vid} AND NOT EXISTS (SELECT 1 FROM observation x "
        "WHERE x.vintage = f.id AND x.indicator = n.indicator AND x.region = n.region "
        "AND x.period = n.period)"
    )
    counts = be.query(f"SELECT f.id AS vintage, count(*) AS n {body} GROUP BY f.id ORDER BY 1")
    if counts.empty:
        return []
    be.execute(
        f"INSERT INTO observation ({', '.join(schema.OBSERVATION_COLUMNS)}) "
        "SELECT p.indicator, p.region, p.period, f.id, p.value, p.flags, p.contributors, "
        f"p.top1_share, p.top2_share {body}"
    )
    return [(int(v), int(n)) for v, n in zip(counts["vintage"], counts["n"], strict=True)]
