"""Check a batch against the store and load it in one transaction, as a new vintage.

A load is all-or-nothing: it adds a vintage holding exactly the values that are new or changed
against the latest stored ones, or it adds nothing. Values already stored are never updated.
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

import csv
import difflib
import math
import sys
import threading
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from statlib import periods
from statlib.errors import ConfigError, InputError
from statlib.ingest.base import BATCH_COLUMNS, Batch, decode, norm
from statlib.ingest.limits import Clock
from statlib.ingest.long import NUMBER, NUMBER_HINT
from statlib.store import schema
from statlib.store.store import Store

__all__ = ["LoadReport", "load_batch"]

_SHAPES = {7: "M", 6: "Q", 4: "A"}  # length of a canonical period → frequency
YEARS = (1900, 2100)  # a period outside these years is a typo (0000, 20233 cut to 2023?)
_NUMERIC = ("value", "contributors", "top1_share", "top2_share")
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


class _NotUtf8(Exception):
    """A CSV whose head looked like UTF-8 holds GB18030 further down: read it again, transcoded."""


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
    return indicators, regions


def _check_length(batch: Batch, clock: Clock, role: str, ref: str) -> None:
    if len(ref) > clock.bounds.max_field:
        row, column = batch.locate(role, ref)
        raise clock.bounds.exceeded(
            "max_field",
            f"a {role} of {len(ref):,} characters",
            file=batch.file,
            row=row,
            column=column,
        )


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
        _check_length(batch, clock, role, ref)
        if not mapping.get(norm(ref)):
            row, column = _position(batch, role, ref)
            if not norm(ref):
                raise batch.error(
                    f"{role} is empty",
                    row=row,
                    column=column,
                    hint=f"fill in the {role} code or name",
                )
            problem, hint = _unknown(store, role, ref, batch)
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
            _unregister(duck, "_statlib_refs")


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
        f"'{role or f'_skip{i}'}': '{number if role in _NUMERIC else 'VARCHAR'}'"
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


def load_batch(store: Store, batch: Batch, *, revise: bool = False) -> LoadReport:
    """Check ``batch`` and store its new or changed values as one new vintage.

    A file whose content equals an earlier vintage adds nothing unless ``revise``: then it is
    loaded as a revision, a new vintage holding its values where they differ from the latest.
    """
    if store.backend.read_only:
        raise ConfigError("the store is open read-only: open it with open_store(read_only=False)")
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
            return _load(store, batch, refs, clock, staged=not on_duck, note=note, dry=dry)
        except _KeyClash:
            return _load(store, batch, refs, clock, staged=True, note=note, dry=dry)
    except _DryRun as run:
        return _same_content(store, batch, prev, run.rows_added)  # type: ignore[arg-type]


class _DryRun(Exception):
    def __init__(self, rows_added: int) -> None:
        self.rows_added = rows_added


def _same_content(store: Store, batch: Batch, prev: int, differ: int) -> LoadReport:
    if not differ:
        return LoadReport(
            batch.file,
            batch.reader,
            0,
            0,
            None,
            f"same content as vintage {prev}: nothing added (its values are still the latest)",
        )
    return LoadReport(
        batch.file,
        batch.reader,
        0,
        0,
        None,
        f"same content as vintage {prev}, but {differ} of its values were changed "
        f"since (latest vintage {store.latest_vintage()}): nothing added — to make "
        "this file's values current again, load it with --revise (revise=True)",
    )


def _load(
    store: Store,
    batch: Batch,
    refs: dict[str, dict[str, str]],
    clock: Clock,
    *,
    staged: bool,
    note: str,
    dry: bool = False,
) -> LoadReport:
    own = store.backend.duckdb  # the store's own DuckDB connection, or a private one
    duck = own if own is not None else duckdb.connect()
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
                    raise _diagnose(store, batch, exc, refs, clock) from None
                except duckdb.Error as exc:
                    raise _diagnose(store, batch, exc, refs, clock) from None
                for role, mapping in refs.items():
                    _map_references(store, batch, duck, table, where, role, mapping, clock)
                rows_read = _check_loaded(store, batch, duck, table, where, refs, clock)
                rows_added = _keep_new(store, duck, table, where, vid, staged)
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
            store.backend.execute(
                "INSERT INTO vintage (id, loaded_at, source, sha256, reader, rows_read, "
                "rows_added, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    vid,
                    datetime.now().replace(microsecond=0),
                    batch.file,
                    batch.sha256,
                    batch.reader,
                    rows_read,
                    rows_added,
                    note or None,
                ],
            )
    except _NothingNew as nothing:
        return LoadReport(
            batch.file,
            batch.reader,
            nothing.rows_read,
            0,
            None,
            "every value is already stored: nothing added",
        )
    finally:
        timer.cancel()
        if batch.frame is not None:
            _unregister(duck, "_statlib_src")
        if staged:
            duck.execute("DROP TABLE IF EXISTS _statlib_stage")
        if own is None:
            duck.close()
    return LoadReport(
        batch.file,
        batch.reader,
        rows_read,
        rows_added,
        vid,
        f"vintage {vid}: {rows_added} new or changed values",
    )


def _unregister(duck: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a registered frame, also from a transaction a refused row has aborted."""
    try:
        duck.unregister(name)
    except duckdb.Error:
        pass


def _canonical_period(batch: Batch, clock: Clock, raw: str) -> str:
    """The canonical spelling of a period (NFKC first), or an InputError naming its row."""
    _check_length(batch, clock, "period", raw)
    text = norm(raw)
    try:
        p = periods.parse(text)
    except ConfigError:
        row, _ = batch.locate("period", raw)
        raise batch.error(
            f"unknown period format {raw!r}",
            row=row,
            column="period",
            hint="write 2022-11 (month), 2022Q3 (quarter) or 2022 (year)",
        ) from None
    if not YEARS[0] <= p.year <= YEARS[1]:
        row, _ = batch.locate("period", raw)
        raise batch.error(
            f"period {raw!r}: the year {p.year:04d} is not plausible",
            row=row,
            column="period",
            hint=f"periods run from {YEARS[0]} to {YEARS[1]}: check the year",
        )
    return str(p)


def _check_loaded(
    store: Store,
    batch: Batch,
    duck: duckdb.DuckDBPyConnection,
    table: str,
    where: str,
    refs: dict[str, dict[str, str]],
    clock: Clock,
) -> int:
    """Set-based checks on the inserted rows; raises InputError naming the first bad row."""
    q = duck.execute
    rows = q(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]  # type: ignore[index]
    if rows == 0:
        raise batch.error("the file holds no observations", hint="export the data again")
    if rows > clock.bounds.max_rows:
        first = (batch.csv.header_line if batch.csv is not None else 1) + clock.bounds.max_rows
        raise clock.bounds.exceeded(
            "max_rows", f"the file holds {rows:,} rows", file=batch.file, row=first + 1
        )
    changes = []
    for (period,) in q(f"SELECT DISTINCT period FROM {table} WHERE {where}").fetchall():
        canonical = _canonical_period(batch, clock, period)
        if canonical != period:
            changes.append((period, canonical))
    if changes:  # 2022年11月, ２０２２-１１, 2022-1 → 2022-11
        duck.register("_statlib_periods", pd.DataFrame(changes, columns=["key", "period"]))
        try:
            q(
                f"UPDATE {table} SET period = m.period FROM _statlib_periods m "
                f"WHERE {table}.period = m.key AND {table}.{where}"
            )
        finally:
            _unregister(duck, "_statlib_periods")
    # Duplicates are counted on the canonical keys: 2023-1 and 2023-01 are one key.
    distinct = q(
        f"SELECT count(*) FROM (SELECT DISTINCT indicator, region, period FROM {table} "
        f"WHERE {where}) k"
    ).fetchone()[0]  # type: ignore[index]
    if rows != distinct:
        dup = q(
            f"SELECT indicator, region, period FROM {table} WHERE {where} "
            "GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
        ).fetchone()
        if dup is not None:
            lines = _rows_of(batch, refs, dup)
            raise batch.error(
                f"duplicate observation {dup[0]}/{dup[1]}/{dup[2]}"
                + (f" (also row {lines[1]})" if len(lines) > 1 else ""),
                row=lines[0] if lines else None,
                column="period",
                hint="keep one row per indicator, region and period (two spellings of one "
                "period, code or name are one key)",
            )
    freq_rows = q(
        f"SELECT DISTINCT indicator, length(period) FROM {table} WHERE {where}"
    ).fetchall()
    for code, length in freq_rows:
        ind = store._indicators.get(code)
        freq = _SHAPES.get(length, "?")
        if ind is not None and "MQA".index(freq) < "MQA".index(ind.frequency):
            key = q(
                f"SELECT indicator, region, period FROM {table} WHERE {where} AND "
                "indicator = ? AND length(period) = ? LIMIT 1",
                [code, length],
            ).fetchone()
            lines = _rows_of(batch, refs, key) if key is not None else []
            raise batch.error(
                f"indicator {code} ({ind.name}) is {ind.frequency}-frequency but the file "
                f"gives {freq} periods",
                row=lines[0] if lines else None,
                column="period",
                hint="check the indicator or the periods; a catalogue change needs a new code",
            )
    for (flags,) in q(
        f"SELECT DISTINCT flags FROM {table} WHERE {where} AND flags IS NOT NULL"
    ).fetchall():
        _check_length(batch, clock, "flags", flags)
        unknown = set(norm(flags).upper()) - set(schema.FLAGS)
        if unknown:
            row, _ = batch.locate("flags", flags)
            raise batch.error(
                f"unknown flag {''.join(sorted(unknown))[:20]!r}",
                row=row,
                column="flags",
                hint="flags are letters " + ", ".join(f"{k} {v}" for k, v in schema.FLAGS.items()),
            )
        if norm(flags).upper() != flags:
            q(
                f"UPDATE {table} SET flags = ? WHERE {where} AND flags = ?",
                [norm(flags).upper(), flags],
            )
    missing = q(
        f"SELECT indicator, region, period FROM {table} WHERE {where} AND value IS NULL "
        "AND (flags IS NULL OR flags NOT LIKE '%N%') LIMIT 1"
    ).fetchone()
    if missing is not None:
        lines = _rows_of(batch, refs, missing)
        raise batch.error(
            "value is empty",
            row=lines[0] if lines else None,
            column="value",
            hint="write the number, or set flag N where it is not available",
        )
    bad_share = q(
        f"SELECT indicator, region, period, CASE WHEN contributors < 0 THEN "
        "'contributors' WHEN top1_share NOT BETWEEN 0 AND 1 THEN 'top1_share' ELSE "
        f"'top2_share' END FROM {table} WHERE {where} AND "
        "(top1_share NOT BETWEEN 0 AND 1 OR top2_share NOT BETWEEN 0 AND 1 OR "
        "top2_share > top1_share OR contributors < 0) LIMIT 1"
    ).fetchone()
    if bad_share is not None:
        lines = _rows_of(batch, refs, bad_share[:3])
        raise batch.error(
            "contributors must be ≥ 0 and top shares within 0…1 with top2_share ≤ top1_share",
            row=lines[0] if lines else None,
            column=bad_share[3],
            hint="shares are fractions such as 0.4521",
        )
    _check_units(store, batch)
    return int(rows)


def _check_units(store: Store, batch: Batch) -> None:
    for name, unit in batch.units.items():
        try:
            ind = store.indicator(name)
        except Exception:
            continue
        if ind.unit and unit and ind.unit != unit:
            row, column = batch.unit_at.get(name) or batch.locate("indicator", name)
            raise batch.error(
                f"{name} is given in {unit} but the catalogue keeps it in {ind.unit}",
                row=row,
                column=column,
                hint="convert the values to the catalogue's unit or correct the catalogue",
            )


def _keep_new(
    store: Store, duck: duckdb.DuckDBPyConnection, table: str, where: str, vid: int, staged: bool
) -> int:
    """Drop rows equal to the latest stored value; the rest become the new vintage."""
    same = (
        "l.value IS NOT DISTINCT FROM n.value AND l.flags IS NOT DISTINCT FROM n.flags "
        "AND l.contributors IS NOT DISTINCT FROM n.contributors "
        "AND l.top1_share IS NOT DISTINCT FROM n.top1_share "
        "AND l.top2_share IS NOT DISTINCT FROM n.top2_share"
    )
    latest = (
        "(SELECT DISTINCT ON (indicator, region, period) * FROM observation o "
        "WHERE o.vintage < {vid} AND o.indicator IN ({inds}) "
        "ORDER BY indicator, region, period, vintage DESC)"
    )
    cols = ", ".join(schema.OBSERVATION_COLUMNS)
    if not staged:  # DuckDB, rows already in observation
        inds = f"SELECT DISTINCT indicator FROM observation WHERE vintage = {vid}"
        if store.backend.scalar(
            f"SELECT count(*) FROM observation WHERE vintage < {vid} AND indicator IN ({inds})"
        ):
            duck.execute(
                f"DELETE FROM observation n WHERE n.vintage = {vid} AND EXISTS (SELECT 1 FROM "
                f"{latest.format(vid=vid, inds=inds)} l WHERE l.indicator = n.indicator AND "
                f"l.region = n.region AND l.period = n.period AND {same})"
            )
        return int(store.backend.scalar(f"SELECT count(*) FROM observation WHERE vintage = {vid}"))
    if store.backend.duckdb is not None:  # staged in the store's own connection
        inds = "SELECT DISTINCT indicator FROM _statlib_stage"
        duck.execute(
            f"INSERT INTO observation ({cols}) SELECT {cols} FROM _statlib_stage n WHERE NOT "
            f"EXISTS (SELECT 1 FROM {latest.format(vid=vid, inds=inds)} l WHERE "
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
        f"{latest.format(vid=vid, inds=inds)} l WHERE l.indicator = n.indicator AND "
        f"l.region = n.region AND l.period = n.period AND {same})"
    )
    return int(be.scalar("SELECT count(*) FROM observation WHERE vintage = ?", [vid]))


def _rows_of(batch: Batch, refs: dict[str, dict[str, str]], key: tuple) -> list[int]:
    """File rows of one (indicator, region, period) key, for messages."""
    if batch.frame is not None:
        frame = batch.frame
        hits = frame[frame["period"].astype(str).map(_canon) == key[2]]
        hits = hits[[refs["indicator"].get(norm(v)) == key[0] for v in hits["indicator"]]]
        hits = hits[[refs["region"].get(norm(v)) == key[1] for v in hits["region"]]]
        return [int(r) for r in hits["_row"]]
    assert batch.csv is not None
    names = batch.csv.names
    out = []
    offset = batch.csv.header_line - 1 if batch.csv.path != batch.path else 0
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with open(batch.csv.path, encoding="utf-8-sig", newline="") as fh:
        for line_no, row in enumerate(csv.reader(fh, delimiter=batch.csv.delimiter), 1):
            if line_no == 1 or len(row) < len(names):
                continue
            rec = dict(zip(names, row, strict=False))
            if (
                _canon(rec["period"]) == key[2]
                and refs["indicator"].get(norm(rec["indicator"])) == key[0]
                and refs["region"].get(norm(rec["region"])) == key[1]
            ):
                out.append(line_no + offset)
    return out


def _canon(text: str) -> str:
    try:
        return str(periods.parse(norm(text)))
    except ConfigError:
        return text


def _did_you_mean(store: Store, role: str, ref: str) -> str:
    """The closest catalogue names and codes to ``ref`` (difflib), as a hint."""
    if role == "indicator":
        names = [
            k
            for i in store._indicators.values()
            for k in (i.name, i.code, *[a for a in i.aliases.split("|") if a])
        ]
    else:
        names = [k for r in store._regions.values() for k in (r.name, r.code)]
    near = difflib.get_close_matches(norm(ref), names, n=3, cutoff=0.6)
    return f"did you mean {' or '.join(repr(n) for n in near)}? " if near else ""


def _unknown(store: Store, role: str, ref: str, batch: Batch) -> tuple[str, str]:
    shown = ref if len(ref) <= 60 else ref[:60] + "…"
    fix = (
        f"use a code or name of the {role} catalogue (`statlib db info --{role}s`), or add "
        f"it to data/catalogue/ first"
    )
    try:
        ind = store.indicator(norm(ref)) if role == "indicator" else None
    except Exception as exc:
        if "ambiguous" in str(exc):
            return f"unknown {role} {shown!r}: {exc}", fix
        return f"unknown {role} {shown!r}", _did_you_mean(store, role, ref) + fix
    if ind is not None and batch.value_kind == "growth":
        return (
            f"the file gives growth rates of {shown!r} but the catalogue has no growth "
            "indicator for it",
            "add one with growth_of set to " + ind.code,
        )
    return f"unknown {role} {shown!r}", _did_you_mean(store, role, ref) + fix


def _diagnose(
    store: Store, batch: Batch, exc: duckdb.Error, refs: dict[str, dict[str, str]], clock: Clock
) -> InputError:
    """Explain a failed bulk insert by scanning the file row by row (only on this error path)."""
    if batch.csv is None:
        return batch.error(f"the rows could not be stored: {exc}")
    if "unicode" in str(exc).lower():
        _, encoding = decode(batch.path)  # raises, naming the bad bytes, if neither encoding fits
        if not encoding.startswith("utf-8"):
            raise _NotUtf8(batch.file)
    names = batch.csv.names
    checked: dict[tuple[str, str], bool] = {}
    offset = batch.csv.header_line - 1 if batch.csv.path != batch.path else 0
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with open(batch.csv.path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=batch.csv.delimiter)
        try:
            for line_no, row in enumerate(reader, 1 + offset):
                if line_no == 1 + offset or not any(c.strip() for c in row):
                    continue
                if line_no % 10000 == 0:
                    clock.check(line_no)
                if len(row) != len(names):
                    return batch.error(
                        f"the row has {len(row)} fields, the header {len(names)}",
                        row=line_no,
                        column=(
                            f"#{len(names) + 1}"
                            if len(row) > len(names)
                            else names[max(len(row), 1) - 1] or None
                        ),
                        hint="check separators and quotes in this row",
                    )
                problem = _bad_cell(store, batch, names, row, refs, checked, clock)
                if problem is not None:
                    role, text, hint = problem
                    return batch.error(text, row=line_no, column=role, hint=hint)
        except csv.Error as err:
            return batch.error(
                f"the CSV is malformed: {err}",
                row=reader.line_num + offset,
                hint="check quotes: a field that contains a comma or a line break must be quoted",
            )
    return batch.error(
        f"the rows could not be stored: {exc}",
        hint="check the file against the long format in the README",
    )


def _bad_cell(
    store: Store,
    batch: Batch,
    names: tuple[str, ...],
    row: list[str],
    refs: dict[str, dict[str, str]],
    checked: dict[tuple[str, str], bool],
    clock: Clock,
) -> tuple[str, str, str] | None:
    """The first cell of a row the store refuses: (column, problem, hint), or None."""
    for role, cell in zip(names, row, strict=True):
        if not role:
            continue
        if len(cell) > clock.bounds.max_field:
            return (
                role,
                f"a field of {len(cell):,} characters, above the limit of "
                f"{clock.bounds.max_field:,} ({clock.bounds.env('max_field')})",
                f"shorten it, or raise the limit: export {clock.bounds.env('max_field')}=…",
            )
        text = cell.strip()
        if role in _NUMERIC and text:
            if not NUMBER.fullmatch(text) or not math.isfinite(float(text)):
                return role, f"{text[:60]!r} is not a number", NUMBER_HINT
            if role == "contributors" and float(text) != int(float(text)):
                return (
                    role,
                    f"{text!r} is not a whole number of contributors",
                    "contributors count units: write a whole number such as 3",
                )
            if role == "contributors" and abs(float(text)) >= 2**31:
                return role, f"{text!r} contributors is not plausible", "check the count"
        elif role in ("indicator", "region"):
            key = (role, cell)
            if key not in checked:
                checked[key] = bool(refs[role].get(norm(cell)))
            if not checked[key]:
                problem, hint = (
                    ("empty " + role, f"fill in the {role}")
                    if not text
                    else _unknown(store, role, cell, batch)
                )
                return role, problem, hint
    return None
