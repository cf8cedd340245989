"""Check a batch against the store and load it in one transaction, as a new vintage.

A load is all-or-nothing: it adds a vintage holding exactly the values that are new or changed
against the latest stored ones, or it adds nothing. Values already stored are never updated.
On a DuckDB store the batch is bulk-inserted straight into ``observation`` under the new vintage
id, checked there with set-based SQL and kept only if every check passes (the transaction rolls
back otherwise); on PostgreSQL the same checks run in a DuckDB staging database first and the
rows travel by COPY.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from statlib import periods
from statlib.errors import ConfigError, InputError
from statlib.ingest.base import BATCH_COLUMNS, Batch, decode
from statlib.store import schema
from statlib.store.backends import DuckDBBackend
from statlib.store.store import Store

__all__ = ["LoadReport", "load_batch"]

_SHAPES = {7: "M", 6: "Q", 4: "A"}  # length of a canonical period → frequency


@dataclass(frozen=True)
class LoadReport:
    """What one file's load did."""

    file: str
    reader: str
    rows_read: int
    rows_added: int
    vintage: int | None
    message: str = ""


class NotUtf8(Exception):
    """A CSV whose head looked like UTF-8 holds GB18030 further down: read it again, transcoded."""


class _NothingNew(Exception):
    def __init__(self, rows_read: int) -> None:
        self.rows_read = rows_read


def _resolvers(store: Store, batch: Batch) -> tuple[dict[str, str], dict[str, str], list[dict]]:
    """Reference → code for indicators and regions (codes, names, aliases), and indicators to
    create. An ambiguous name maps to ``""`` (rejected with the candidates named)."""
    created: list[dict] = []
    for name, spec in batch.new_indicators.items():
        try:
            store.indicator(name)
        except Exception:
            created.append(spec)
    indicators: dict[str, str] = {}
    for ind in store._indicators.values():
        target = ind.code
        if batch.value_kind == "growth" and not ind.is_growth:
            partner = store.growth_indicator(ind.code)
            target = partner.code if partner else ""
        for key in (ind.code, ind.name, *[a for a in ind.aliases.split("|") if a]):
            if key in indicators and indicators[key] != target and key != ind.code:
                indicators[key] = ""
            elif key not in indicators or key == ind.code:
                indicators[key] = target
    for spec in created:
        indicators[str(spec["name"])] = str(spec["code"])
    regions = {r.code: r.code for r in store._regions.values()}
    for r in store._regions.values():
        regions.setdefault(r.name, r.code)
    return indicators, regions, created


def _map_references(store: Store, batch: Batch, duck: duckdb.DuckDBPyConnection, table: str,
                    where: str, role: str, mapping: dict[str, str]) -> None:
    """Replace names and aliases by codes in the loaded rows; reject unknown references.

    Works on the few distinct references, so a file written with codes costs one scan.
    """
    found = [r for (r,) in duck.execute(f"SELECT DISTINCT {role} FROM {table} WHERE {where}"
                                        ).fetchall()]
    for ref in found:
        if not mapping.get(ref):
            row, column = batch.locate(role, ref)
            if not ref:
                raise batch.error(f"{role} is empty", row=row, column=column,
                                  hint=f"fill in the {role} code or name")
            problem, hint = _unknown(store, role, ref, batch)
            raise batch.error(problem, row=row, column=column, hint=hint)
    changes = [(ref, mapping[ref]) for ref in found if mapping[ref] != ref]
    if changes:
        duck.register("_statlib_refs", pd.DataFrame(changes, columns=["key", "code"]))
        try:
            duck.execute(f"UPDATE {table} SET {role} = m.code FROM _statlib_refs m "
                         f"WHERE {table}.{role} = m.key AND {table}.{where}")
        finally:
            duck.unregister("_statlib_refs")


def _source_sql(batch: Batch) -> str:
    if batch.frame is not None:
        return "_statlib_src"
    assert batch.csv is not None
    types = {"value": "DOUBLE", "contributors": "DOUBLE", "top1_share": "DOUBLE",
             "top2_share": "DOUBLE"}
    cols = ", ".join(
        f"'{role or f'_skip{i}'}': '{types.get(role, 'VARCHAR')}'"
        for i, role in enumerate(batch.csv.names)
    )
    path = str(batch.csv.path).replace("'", "''")
    return (
        f"(SELECT * FROM read_csv('{path}', header=true, auto_detect=false, "
        f"delim='{batch.csv.delimiter}', quote='\"', escape='\"', strict_mode=true, "
        f"null_padding=false, columns={{{cols}}}))"
    )


def _select(batch: Batch, vid: int) -> str:
    present = set(batch.csv.names) if batch.csv is not None else set(BATCH_COLUMNS)

    def col(name: str, cast: str) -> str:
        return f"CAST(s.{name} AS {cast})" if name in present else f"CAST(NULL AS {cast})"

    flags = ("nullif(upper(trim(s.flags)), '')" if "flags" in present else "CAST(NULL AS VARCHAR)")
    return (
        f"SELECT trim(s.indicator), trim(s.region), trim(s.period), {vid}, "
        f"{col('value', 'DOUBLE')}, {flags}, {col('contributors', 'INTEGER')}, "
        f"{col('top1_share', 'DOUBLE')}, {col('top2_share', 'DOUBLE')} "
        f"FROM {_source_sql(batch)} s"
    )


def load_batch(store: Store, batch: Batch) -> LoadReport:
    """Check ``batch`` and store its new or changed values as one new vintage."""
    if store.backend.read_only:
        raise ConfigError("the store is open read-only: open it with open_store(read_only=False)")
    prev = store.backend.scalar("SELECT min(id) FROM vintage WHERE sha256 = ?", [batch.sha256])
    if prev is not None and not pd.isna(prev):
        return LoadReport(batch.file, batch.reader, 0, 0, None,
                          f"same content as vintage {int(prev)}: nothing added")
    indicators, regions, created = _resolvers(store, batch)
    refs = {"indicator": indicators, "region": regions}
    on_duck = isinstance(store.backend, DuckDBBackend)
    duck = store.backend.con if on_duck else duckdb.connect()
    if batch.frame is not None:
        duck.register("_statlib_src", batch.frame)
    try:
        with store.backend.transaction():
            vid = int(store.backend.scalar("SELECT coalesce(max(id), 0) FROM vintage")) + 1
            if created:
                store.backend.copy_in("indicator", pd.DataFrame(created)[
                    list(schema.INDICATOR_COLUMNS)])
            if on_duck:
                table, where = "observation", f"vintage = {vid}"
            else:
                duck.execute(
                    "CREATE OR REPLACE TEMP TABLE _statlib_stage (indicator VARCHAR NOT NULL, "
                    "region VARCHAR NOT NULL, period VARCHAR NOT NULL, vintage INTEGER, "
                    "value DOUBLE, flags VARCHAR, contributors INTEGER, top1_share DOUBLE, "
                    "top2_share DOUBLE)")
                table, where = "_statlib_stage", f"vintage = {vid}"
            try:
                duck.execute(f"INSERT INTO {table} {_select(batch, vid)}")
            except duckdb.Error as exc:
                raise _diagnose(store, batch, exc, refs) from None
            for role, mapping in refs.items():
                _map_references(store, batch, duck, table, where, role, mapping)
            rows_read = _check_loaded(store, batch, duck, table, where, refs)
            rows_added = _keep_new(store, duck, table, where, vid, on_duck)
            if rows_added == 0:
                raise _NothingNew(rows_read)
            store.backend.execute(
                "INSERT INTO vintage (id, loaded_at, source, sha256, reader, rows_read, "
                "rows_added, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [vid, datetime.now().replace(microsecond=0), batch.file, batch.sha256,
                 batch.reader, rows_read, rows_added, batch.note or None],
            )
    except _NothingNew as nothing:
        return LoadReport(batch.file, batch.reader, nothing.rows_read, 0, None,
                          "every value is already stored: nothing added")
    finally:
        if batch.frame is not None:
            duck.unregister("_statlib_src")
        if not on_duck:
            duck.close()
    if created:
        store.refresh_catalogue()
    return LoadReport(batch.file, batch.reader, rows_read, rows_added, vid,
                      f"vintage {vid}: {rows_added} new or changed values")


def _check_loaded(store: Store, batch: Batch, duck: duckdb.DuckDBPyConnection, table: str,
                  where: str, refs: dict[str, dict[str, str]]) -> int:
    """Set-based checks on the inserted rows; raises InputError naming the first bad row."""
    q = duck.execute
    rows, distinct = q(f"SELECT count(*), count(DISTINCT hash(indicator, region, period)) "
                       f"FROM {table} WHERE {where}").fetchone()  # type: ignore[misc]
    if rows == 0:
        raise batch.error("the file holds no observations", hint="export the data again")
    bad_periods = []
    for (period,) in q(f"SELECT DISTINCT period FROM {table} WHERE {where}").fetchall():
        try:
            canonical = str(periods.parse(period))
        except ConfigError:
            row, _ = batch.locate("period", period)
            raise batch.error(f"unknown period format {period!r}", row=row, column="period",
                              hint="write 2022-11 (month), 2022Q3 (quarter) or 2022 (year)"
                              ) from None
        if canonical != period:
            bad_periods.append((period, canonical))
    for raw, canonical in bad_periods:  # 2022年11月 → 2022-11
        q(f"UPDATE {table} SET period = ? WHERE {where} AND period = ?", [canonical, raw])
    if rows != distinct:
        dup = q(f"SELECT indicator, region, period FROM {table} WHERE {where} "
                "GROUP BY ALL HAVING count(*) > 1 LIMIT 1").fetchone()
        if dup is not None:
            lines = _rows_of(batch, refs, dup)
            raise batch.error(
                f"duplicate observation {dup[0]}/{dup[1]}/{dup[2]}"
                + (f" (also row {lines[1]})" if len(lines) > 1 else ""),
                row=lines[0] if lines else None, column="period",
                hint="keep one row per indicator, region and period",
            )
    freq_rows = q(f"SELECT DISTINCT indicator, length(period) FROM {table} WHERE {where}"
                  ).fetchall()
    for code, length in freq_rows:
        ind = store._indicators.get(code)
        freq = _SHAPES.get(length, "?")
        if ind is not None and "MQA".index(freq) < "MQA".index(ind.frequency):
            key = q(f"SELECT indicator, region, period FROM {table} WHERE {where} AND "
                    "indicator = ? AND length(period) = ? LIMIT 1", [code, length]).fetchone()
            lines = _rows_of(batch, refs, key) if key is not None else []
            raise batch.error(
                f"indicator {code} ({ind.name}) is {ind.frequency}-frequency but the file "
                f"gives {freq} periods", row=lines[0] if lines else None, column="period",
                hint="check the indicator or the periods; a catalogue change needs a new code",
            )
    for (flags,) in q(f"SELECT DISTINCT flags FROM {table} WHERE {where} AND flags IS NOT NULL"
                      ).fetchall():
        unknown = set(flags) - set(schema.FLAGS)
        if unknown:
            row, _ = batch.locate("flags", flags)
            raise batch.error(f"unknown flag {''.join(sorted(unknown))!r}", row=row,
                              column="flags", hint="flags are letters " + ", ".join(
                                  f"{k} {v}" for k, v in schema.FLAGS.items()))
    missing = q(f"SELECT indicator, region, period FROM {table} WHERE {where} AND value IS NULL "
                "AND (flags IS NULL OR flags NOT LIKE '%N%') LIMIT 1").fetchone()
    if missing is not None:
        lines = _rows_of(batch, refs, missing)
        raise batch.error("value is empty", row=lines[0] if lines else None, column="value",
                          hint="write the number, or set flag N where it is not available")
    bad_share = q(f"SELECT indicator, region, period, CASE WHEN contributors < 0 THEN "
                  "'contributors' WHEN top1_share NOT BETWEEN 0 AND 1 THEN 'top1_share' ELSE "
                  f"'top2_share' END FROM {table} WHERE {where} AND "
                  "(top1_share NOT BETWEEN 0 AND 1 OR top2_share NOT BETWEEN 0 AND 1 OR "
                  "top2_share > top1_share OR contributors < 0) LIMIT 1").fetchone()
    if bad_share is not None:
        lines = _rows_of(batch, refs, bad_share[:3])
        raise batch.error("contributors must be ≥ 0 and top shares within 0…1 with "
                          "top2_share ≤ top1_share", row=lines[0] if lines else None,
                          column=bad_share[3], hint="shares are fractions such as 0.4521")
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
                row=row, column=column,
                hint="convert the values to the catalogue's unit or correct the catalogue",
            )


def _keep_new(store: Store, duck: duckdb.DuckDBPyConnection, table: str, where: str, vid: int,
              on_duck: bool) -> int:
    """Drop rows equal to the latest stored value; the rest become the new vintage."""
    same = ("l.value IS NOT DISTINCT FROM n.value AND l.flags IS NOT DISTINCT FROM n.flags "
            "AND l.contributors IS NOT DISTINCT FROM n.contributors "
            "AND l.top1_share IS NOT DISTINCT FROM n.top1_share "
            "AND l.top2_share IS NOT DISTINCT FROM n.top2_share")
    latest = ("(SELECT DISTINCT ON (indicator, region, period) * FROM observation o "
              "WHERE o.vintage < {vid} AND o.indicator IN ({inds}) "
              "ORDER BY indicator, region, period, vintage DESC)")
    if on_duck:
        inds = f"SELECT DISTINCT indicator FROM observation WHERE vintage = {vid}"
        if store.backend.scalar(f"SELECT count(*) FROM observation WHERE vintage < {vid} AND "
                                f"indicator IN ({inds})"):
            duck.execute(
                f"DELETE FROM observation n WHERE n.vintage = {vid} AND EXISTS (SELECT 1 FROM "
                f"{latest.format(vid=vid, inds=inds)} l WHERE l.indicator = n.indicator AND "
                f"l.region = n.region AND l.period = n.period AND {same})"
            )
        return int(store.backend.scalar(f"SELECT count(*) FROM observation WHERE vintage = {vid}"))
    # Arrow, not pandas: a NULL stays NULL and a NaN stays NaN, as on DuckDB
    stage = duck.sql(f"SELECT {', '.join(schema.OBSERVATION_COLUMNS)} FROM _statlib_stage"
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
        hits = hits[[refs["indicator"].get(str(v).strip()) == key[0] for v in hits["indicator"]]]
        hits = hits[[refs["region"].get(str(v).strip()) == key[1] for v in hits["region"]]]
        return [int(r) for r in hits["_row"]]
    assert batch.csv is not None
    names = batch.csv.names
    out = []
    with open(batch.csv.path, encoding="utf-8-sig", newline="") as fh:
        for line_no, row in enumerate(csv.reader(fh, delimiter=batch.csv.delimiter), 1):
            if line_no <= batch.csv.header_line - (batch.csv.header_line - 1) or len(row) < len(
                    names):
                continue
            rec = dict(zip(names, row, strict=False))
            if (_canon(rec["period"]) == key[2]
                    and refs["indicator"].get(rec["indicator"].strip()) == key[0]
                    and refs["region"].get(rec["region"].strip()) == key[1]):
                out.append(line_no + batch.csv.header_line - 1)
    return out


def _canon(text: str) -> str:
    try:
        return str(periods.parse(text.strip()))
    except ConfigError:
        return text


def _unknown(store: Store, role: str, ref: str, batch: Batch) -> tuple[str, str]:
    try:
        ind = store.indicator(ref) if role == "indicator" else None
    except Exception as exc:
        return (f"unknown {role} {ref!r}: {exc}" if "ambiguous" in str(exc)
                else f"unknown {role} {ref!r}",
                f"add it to the {role} catalogue (data/catalogue/) or use a known code or name")
    if ind is not None and batch.value_kind == "growth":
        return (f"the file gives growth rates of {ref!r} but the catalogue has no growth "
                "indicator for it", "add one with growth_of set to " + ind.code)
    return (f"unknown {role} {ref!r}",
            f"add it to the {role} catalogue (data/catalogue/) or use a known code or name")


def _diagnose(store: Store, batch: Batch, exc: duckdb.Error,
              refs: dict[str, dict[str, str]]) -> InputError:
    """Explain a failed bulk insert by scanning the file row by row (only on this error path)."""
    if batch.csv is None:
        return batch.error(f"the rows could not be stored: {exc}")
    if "unicode" in str(exc).lower():
        _, encoding = decode(batch.path)  # raises, naming the bad bytes, if neither encoding fits
        if not encoding.startswith("utf-8"):
            raise NotUtf8(batch.file)
    names = batch.csv.names
    numeric = {"value", "contributors", "top1_share", "top2_share"}
    checked: dict[tuple[str, str], bool] = {}
    with open(batch.csv.path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=batch.csv.delimiter)
        for line_no, row in enumerate(reader, batch.csv.header_line):
            if line_no == batch.csv.header_line or not any(c.strip() for c in row):
                continue
            if len(row) != len(names):
                return batch.error(
                    f"the row has {len(row)} fields, the header {len(names)}", row=line_no,
                    column=(f"#{len(names) + 1}" if len(row) > len(names) else
                            names[max(len(row), 1) - 1] or None),
                    hint="check separators and quotes in this row")
            for role, cell in zip(names, row, strict=True):
                if role in numeric and cell.strip():
                    try:
                        float(cell)
                    except ValueError:
                        return batch.error(
                            f"{cell!r} is not a number", row=line_no, column=role,
                            hint="write plain numbers (no units, thousands separators or notes);"
                                 " leave the cell empty and set flag N where not available")
                elif role in ("indicator", "region"):
                    key = (role, cell)
                    if key not in checked:
                        checked[key] = bool(refs[role].get(cell.strip()))
                    if not checked[key]:
                        problem, hint = (("empty " + role, f"fill in the {role}") if not
                                         cell.strip() else _unknown(store, role, cell, batch))
                        return batch.error(problem, row=line_no, column=role, hint=hint)
    return batch.error(f"the rows could not be stored: {exc}",
                       hint="check the file against the long format in the README")
