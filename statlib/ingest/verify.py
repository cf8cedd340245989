"""The checks of a load: set-based checks of the rows staged for a vintage (periods, keys,
frequencies, flags, values, shares, units) and, when a bulk insert fails, the row-by-row
diagnosis that names the file's first bad row and column (only on that error path)."""

from __future__ import annotations

import csv
import difflib
import math
import sys
from typing import Any

import duckdb
import pandas as pd

from statlib import periods
from statlib.errors import ConfigError, InputError
from statlib.ingest.base import Batch, decode, norm
from statlib.ingest.limits import Clock
from statlib.ingest.long import NUMBER, NUMBER_HINT
from statlib.store import schema
from statlib.store.store import Store

__all__ = [
    "NUMERIC",
    "YEARS",
    "canon",
    "canonical_period",
    "check_length",
    "check_loaded",
    "diagnose",
    "rows_of",
    "unknown",
    "unregister",
]

YEARS = (1900, 2100)  # a period outside these years is a typo (0000, 20233 cut to 2023?)
NUMERIC = ("value", "contributors", "top1_share", "top2_share")


class _NotUtf8(Exception):
    """A CSV whose head looked like UTF-8 holds GB18030 further down: read it again, transcoded."""


def check_length(batch: Batch, clock: Clock, role: str, ref: str) -> None:
    if len(ref) > clock.bounds.max_field:
        row, column = batch.locate(role, ref)
        raise clock.bounds.exceeded(
            "max_field",
            f"a {role} of {len(ref):,} characters",
            file=batch.file,
            row=row,
            column=column,
        )


def _count(cursor: duckdb.DuckDBPyConnection) -> int:
    """The one number a ``SELECT count(*)`` returns."""
    row = cursor.fetchone()
    return int(row[0]) if row is not None else 0


def unregister(duck: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a registered frame, also from a transaction a refused row has aborted."""
    try:
        duck.unregister(name)
    except duckdb.Error:
        pass


def canonical_period(batch: Batch, clock: Clock, raw: str) -> str:
    """The canonical spelling of a period (NFKC first), or an InputError naming its row."""
    check_length(batch, clock, "period", raw)
    text = norm(raw)
    try:
        p = periods.parse(text)
    except ConfigError:
        raise batch.error_at(
            "period",
            raw,
            f"unknown period format {raw!r}",
            hint="write 2022-11 (month), 2022Q3 (quarter) or 2022 (year)",
        ) from None
    if not YEARS[0] <= p.year <= YEARS[1]:
        raise batch.error_at(
            "period",
            raw,
            f"period {raw!r}: the year {p.year:04d} is not plausible",
            hint=f"periods run from {YEARS[0]} to {YEARS[1]}: check the year",
        )
    return str(p)


def check_loaded(
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
    rows = _count(q(f"SELECT count(*) FROM {table} WHERE {where}"))
    if rows == 0:
        raise batch.error("the file holds no observations", hint="export the data again")
    if rows > clock.bounds.max_rows:
        first = (batch.csv.header_line if batch.csv is not None else 1) + clock.bounds.max_rows
        raise clock.bounds.exceeded(
            "max_rows", f"the file holds {rows:,} rows", file=batch.file, row=first + 1
        )
    changes = []
    for (period,) in q(f"SELECT DISTINCT period FROM {table} WHERE {where}").fetchall():
        canonical = canonical_period(batch, clock, period)
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
            unregister(duck, "_statlib_periods")
    # Duplicates are counted on the canonical keys: 2023-1 and 2023-01 are one key.
    distinct = _count(
        q(
            f"SELECT count(*) FROM (SELECT DISTINCT indicator, region, period FROM {table} "
            f"WHERE {where}) k"
        )
    )
    if rows != distinct:
        dup = q(
            f"SELECT indicator, region, period FROM {table} WHERE {where} "
            "GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
        ).fetchone()
        if dup is not None:
            lines = rows_of(batch, refs, dup)
            raise batch.error(
                f"duplicate observation {dup[0]}/{dup[1]}/{dup[2]}"
                + (f" (also row {lines[1]})" if len(lines) > 1 else ""),
                row=lines[0] if lines else None,
                column="period",
                hint="keep one row per indicator, region and period (two spellings of one "
                "period, code or name are one key)",
            )
    freq_of = periods.sql_freq("period")
    freq_rows = q(f"SELECT DISTINCT indicator, {freq_of} FROM {table} WHERE {where}").fetchall()
    for code, freq in freq_rows:
        ind = store._indicators.get(code)
        if ind is not None and "MQA".index(freq) < "MQA".index(ind.frequency):
            key = q(
                f"SELECT indicator, region, period FROM {table} WHERE {where} AND "
                f"indicator = ? AND {freq_of} = ? LIMIT 1",
                [code, freq],
            ).fetchone()
            raise _at_key(
                batch,
                refs,
                key,
                f"indicator {code} ({ind.name}) is {ind.frequency}-frequency but the file "
                f"gives {freq} periods",
                column="period",
                hint="check the indicator or the periods; a catalogue change needs a new code",
            )
    for (flags,) in q(
        f"SELECT DISTINCT flags FROM {table} WHERE {where} AND flags IS NOT NULL"
    ).fetchall():
        check_length(batch, clock, "flags", flags)
        unknown = set(norm(flags).upper()) - set(schema.FLAGS)
        if unknown:
            raise batch.error_at(
                "flags",
                flags,
                f"unknown flag {''.join(sorted(unknown))[:20]!r}",
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
        raise _at_key(
            batch,
            refs,
            missing,
            "value is empty",
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
        raise _at_key(
            batch,
            refs,
            bad_share[:3],
            "contributors must be ≥ 0 and top shares within 0…1 with top2_share ≤ top1_share",
            column=bad_share[3],
            hint="shares are fractions such as 0.4521",
        )
    check_units(store, batch)
    return int(rows)


def _at_key(
    batch: Batch,
    refs: dict[str, dict[str, str]],
    key: tuple[Any, ...] | None,
    message: str,
    *,
    column: str,
    hint: str,
) -> InputError:
    """The error of the observation ``key`` (indicator, region, period), at its first row."""
    lines = rows_of(batch, refs, key) if key is not None else []
    return batch.error(message, row=lines[0] if lines else None, column=column, hint=hint)


def check_units(store: Store, batch: Batch) -> None:
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


def rows_of(batch: Batch, refs: dict[str, dict[str, str]], key: tuple) -> list[int]:
    """File rows of one (indicator, region, period) key, for messages."""
    if batch.frame is not None:
        frame = batch.frame
        hits = frame[frame["period"].astype(str).map(canon) == key[2]]
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
                canon(rec["period"]) == key[2]
                and refs["indicator"].get(norm(rec["indicator"])) == key[0]
                and refs["region"].get(norm(rec["region"])) == key[1]
            ):
                out.append(line_no + offset)
    return out


def canon(text: str) -> str:
    try:
        return str(periods.parse(norm(text)))
    except ConfigError:
        return text


def did_you_mean(store: Store, role: str, ref: str) -> str:
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


def unknown(store: Store, role: str, ref: str, batch: Batch) -> tuple[str, str]:
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
        return f"unknown {role} {shown!r}", did_you_mean(store, role, ref) + fix
    if ind is not None and batch.value_kind == "growth":
        return (
            f"the file gives growth rates of {shown!r} but the catalogue has no growth "
            "indicator for it",
            "add one with growth_of set to " + ind.code,
        )
    return f"unknown {role} {shown!r}", did_you_mean(store, role, ref) + fix


def diagnose(
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
                problem = bad_cell(store, batch, names, row, refs, checked, clock)
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


def bad_cell(
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
        if role in NUMERIC and text:
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
                    else unknown(store, role, cell, batch)
                )
                return role, problem, hint
    return None
