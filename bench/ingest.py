"""Benchmark: ingest a long CSV of N observations end to end, against the plain way and the floor.

    python bench/ingest.py                 # 10,000,000 rows (about 3 minutes on 2 cores)
    python bench/ingest.py --rows 200000   # smoke run, a few seconds

Four measurements in one run, on the same generated rows (see bench/README.md):

1. statlib end to end: ``ingest_file`` on a fresh store (parse, validate, load, vintage);
2. the plain way: ``pandas.read_csv`` + ``DataFrame.to_sql`` (DuckDB via duckdb-engine when it is
   installed, else SQLite) on a prefix: a tenth of the rows, at most 1,000,000 (``to_sql`` runs
   at about 17,000 rows/s, so 10 M rows would take ten minutes);
3. the floor: a raw DuckDB bulk insert of the same rows from an in-memory Arrow table;
4. ``store.series`` latency on the loaded database, by code and by Chinese name.

Prints the figures and PASS/FAIL per target; exits 1 when a target fails, 2 when a check of the
loaded data fails.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

import statlib
from statlib.ingest import ingest_file
from statlib.ingest.bundle import load_catalogue
from statlib.store import schema
from statlib.store.backends import open_backend
from statlib.store.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import load_before, verdict

WORK = Path(__file__).resolve().parent / "_work"
INDICATORS = 100
PERIODS = 100  # months per series: 2000-01 … 2008-04
PLAIN_ROWS = 1_000_000
SEED = 20240601

# Targets of issue 2, acceptance item 10.
MIN_ROWS_PER_S = 2_000_000
MIN_SHARE_OF_FLOOR = 0.25
MAX_P50_MS = 10.0
MAX_P95_MS = 20.0


@dataclass(frozen=True)
class Layout:
    """How N rows are spread: indicators × regions × periods, the last region possibly partial."""

    rows: int
    indicators: int
    regions: int
    periods: int

    @classmethod
    def of(cls, rows: int) -> Layout:
        periods = min(PERIODS, rows)
        per_indicator = math.ceil(rows / periods / INDICATORS)
        indicators = math.ceil(rows / periods / per_indicator)
        return cls(rows, indicators, per_indicator, periods)

    def series(self) -> list[tuple[int, int]]:
        """(indicator, region) numbers of every series with at least one row."""
        full = self.rows // self.periods + (1 if self.rows % self.periods else 0)
        return [divmod(s, self.regions) for s in range(full)]


def ind_code(i: int) -> str:
    return f"BI{i + 1:03d}"


def ind_name(i: int) -> str:
    return f"基准指标{i + 1:03d}"


def reg_code(r: int) -> str:
    return f"91{r:04d}"


def reg_name(r: int) -> str:
    return f"基准地区{r + 1:04d}"


# -- 1. the data ---------------------------------------------------------------------------------
def generate(layout: Layout, work: Path) -> tuple[Path, Path, Path]:
    """Write the catalogue CSVs and the long CSV, ordered by indicator, region, period."""
    work.mkdir(parents=True, exist_ok=True)
    ind_csv, reg_csv, obs_csv = work / "indicators.csv", work / "regions.csv", work / "obs.csv"
    with open(ind_csv, "w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, schema.INDICATOR_COLUMNS, restval="")
        out.writeheader()
        for i in range(layout.indicators):
            out.writerow(
                {
                    "code": ind_code(i),
                    "name": ind_name(i),
                    "unit": "万元",
                    "frequency": "M",
                    "kind": "level",
                    "decimals": 2,
                    "source": "bench/ingest.py (synthetic)",
                }
            )
    with open(reg_csv, "w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, schema.REGION_COLUMNS, restval="")
        out.writeheader()
        for r in range(layout.regions):
            out.writerow(
                {"code": reg_code(r), "name": reg_name(r), "level": "county", "sort_order": r + 1}
            )
    rpp = layout.regions * layout.periods
    # Values are a fixed permutation of i (deterministic on any DuckDB); flags mostly empty:
    # P on the last period of each series (1 %), E on one row in a thousand.
    con = duckdb.connect()
    con.execute(f"""
        COPY (
            SELECT 'BI' || lpad(CAST(i // {rpp} + 1 AS VARCHAR), 3, '0') AS indicator,
                   '91' || lpad(CAST(i // {layout.periods} % {layout.regions} AS VARCHAR), 4,
                                '0') AS region,
                   strftime(DATE '2000-01-01' + to_months(CAST(i % {layout.periods} AS INTEGER)),
                            '%Y-%m') AS period,
                   CAST((i * 2654435761) % 99999989 / 100 AS DECIMAL(12, 2)) AS value,
                   CASE WHEN i % {layout.periods} = {layout.periods - 1} THEN 'P'
                        WHEN i * 7 % 1000 = 3 THEN 'E' END AS flags
            FROM range({layout.rows}) t(i) ORDER BY i
        ) TO '{obs_csv}' (FORMAT csv, HEADER)
    """)
    con.close()
    return ind_csv, reg_csv, obs_csv


# -- 2. statlib end to end -----------------------------------------------------------------------
def fresh_store(path: Path, ind_csv: Path, reg_csv: Path) -> Store:
    for p in (path, Path(f"{path}.wal")):
        p.unlink(missing_ok=True)
    backend = open_backend(str(path), read_only=False, create=True)
    backend.create_schema()
    backend.execute(
        "INSERT INTO statlib_meta VALUES ('schema_version', ?)", [schema.SCHEMA_VERSION]
    )
    store = Store(backend)
    load_catalogue(store, reg_csv, "region")
    load_catalogue(store, ind_csv, "indicator")
    return store


def run_statlib(store: Store, obs_csv: Path) -> tuple[float, str]:
    start = time.perf_counter()
    report = ingest_file(store, obs_csv)
    return time.perf_counter() - start, report.message


def verify(store: Store, obs_csv: Path, layout: Layout, rng: random.Random) -> list[str]:
    """Problems found in the loaded store: row and vintage counts, three values against the CSV."""
    problems = []
    count = int(store.backend.scalar("SELECT count(*) FROM observation"))
    if count != layout.rows:
        problems.append(f"observation holds {count:,} rows, the file {layout.rows:,}")
    vintages = int(store.backend.scalar("SELECT count(*) FROM vintage"))
    if vintages != 1:
        problems.append(f"{vintages} vintage rows, expected 1")
    con = duckdb.connect()
    for line in sorted(rng.sample(range(layout.rows), 3)):
        ind, reg, period, text = con.execute(
            f"SELECT indicator, region, period, value FROM read_csv('{obs_csv}', header=true, "
            f"all_varchar=true) LIMIT 1 OFFSET {line}"
        ).fetchone()  # type: ignore[misc]
        got = store.series(ind, reg, start=period, end=period)
        if list(got.index) != [period] or round(float(got.iloc[0]), 2) != float(text):
            problems.append(
                f"row {line + 2} {ind}/{reg}/{period}: file {text}, store {got.to_dict()}"
            )
    con.close()
    return problems


# -- 3. the plain way ----------------------------------------------------------------------------
def run_plain(obs_csv: Path, rows: int, work: Path) -> tuple[float, str]:
    """pandas.read_csv + DataFrame.to_sql on the first ``rows`` rows."""
    import pandas as pd
    import sqlalchemy

    try:
        import duckdb_engine  # noqa: F401

        db, target = work / "plain.duckdb", "DuckDB via duckdb-engine"
    except ImportError:
        db, target = work / "plain.sqlite", "SQLite (duckdb-engine is not installed)"
    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)
    scheme = "duckdb" if db.suffix == ".duckdb" else "sqlite"
    engine = sqlalchemy.create_engine(f"{scheme}:///{db}")
    start = time.perf_counter()
    frame = pd.read_csv(obs_csv, nrows=rows)
    frame.to_sql("observation", engine, index=False, if_exists="replace")
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed, target


# -- 4. the floor --------------------------------------------------------------------------------
def run_floor(obs_csv: Path, work: Path, runs: int = 3, *, keyed: bool) -> float:
    """Seconds of a raw DuckDB bulk insert of the rows from an Arrow table already in memory.

    ``INSERT INTO t SELECT * FROM rows`` into a fresh file database, committed; the best of
    ``runs`` (the floor is what the machine can do at best). ``keyed``: the table has the
    store's key, ``PRIMARY KEY (indicator, region, period, vintage)`` (issue 12) — the same job
    as the store's load, which may not hold two values for one key; without it, the bare insert.
    """
    rows = duckdb.read_csv(  # noqa: F841 (read by name in the SQL below)
        str(obs_csv),
        header=True,
        dtype={
            "indicator": "VARCHAR",
            "region": "VARCHAR",
            "period": "VARCHAR",
            "value": "DOUBLE",
            "flags": "VARCHAR",
        },
    ).to_arrow_table()
    db = work / "floor.duckdb"
    key = ", PRIMARY KEY (indicator, region, period, vintage)" if keyed else ""
    best = math.inf
    for _ in range(runs):
        for p in (db, Path(f"{db}.wal")):
            p.unlink(missing_ok=True)
        con = duckdb.connect(str(db))
        con.execute(
            "CREATE TABLE t (indicator VARCHAR, region VARCHAR, period VARCHAR, "
            f"vintage INTEGER, value DOUBLE, flags VARCHAR{key})"
        )
        start = time.perf_counter()
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO t SELECT indicator, region, period, 1, value, flags FROM rows")
        con.execute("COMMIT")
        best = min(best, time.perf_counter() - start)
        con.close()
    return best


# -- 5. series latency ---------------------------------------------------------------------------
def latency(
    call: Callable[[int, int], object], pairs: list[tuple[int, int]], warm_up: int
) -> tuple[float, float]:
    """p50 and p95 in ms of ``call(indicator, region)`` over ``pairs`` after a warm-up."""
    for i, r in pairs[:warm_up]:
        call(i, r)
    times = []
    for i, r in pairs[warm_up:]:
        start = time.perf_counter()
        call(i, r)
        times.append((time.perf_counter() - start) * 1000)
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[94]


def run_series(db: Path, layout: Layout, lookups: int, seed: int) -> dict[str, tuple[float, float]]:
    rng = random.Random(seed)
    series = layout.series()
    pairs = [rng.choice(series) for _ in range(lookups + 20)]
    out = {}
    with statlib.open_store(str(db)) as store:
        assert len(store.series(ind_code(0), reg_code(0))) == min(layout.periods, layout.rows)
        out["code"] = latency(lambda i, r: store.series(ind_code(i), reg_code(r)), pairs, 20)
        out["Chinese name"] = latency(
            lambda i, r: store.series(ind_name(i), reg_name(r)), pairs, 20
        )
    return out


# -- 6. report -----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="observations to ingest")
    parser.add_argument(
        "--plain-rows",
        type=int,
        default=None,
        help="rows for pandas read_csv + to_sql, a prefix (default: a tenth of "
        "--rows, at most 1,000,000)",
    )
    parser.add_argument("--lookups", type=int, default=1000, help="store.series calls timed")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--keep", action="store_true", help=f"keep the files in {WORK}")
    args = parser.parse_args(argv)
    if args.rows < 1000:
        parser.error("--rows must be at least 1000")
    layout = Layout.of(args.rows)
    rng = random.Random(args.seed)
    say = print
    rows = layout.rows

    say(load_before())
    start = time.perf_counter()
    ind_csv, reg_csv, obs_csv = generate(layout, WORK)
    size = obs_csv.stat().st_size
    say(
        f"generated {rows:,} rows ({layout.indicators} indicators × {layout.regions} regions × "
        f"{layout.periods} months) in {time.perf_counter() - start:.1f} s: {obs_csv} "
        f"{size / 1e6:,.0f} MB"
    )

    db = WORK / "statlib.duckdb"
    with fresh_store(db, ind_csv, reg_csv) as store:
        t_statlib, message = run_statlib(store, obs_csv)
        say(f"statlib ingest_file: {t_statlib:.2f} s ({message})")
        problems = verify(store, obs_csv, layout, rng)
    for problem in problems:
        say(f"CHECK FAILED: {problem}")
    if not problems:
        say(f"checked: {rows:,} observations, 1 vintage, 3 values equal to the CSV")

    plain_rows = min(args.plain_rows or PLAIN_ROWS, rows if args.plain_rows else rows // 10)
    t_plain, plain_target = run_plain(obs_csv, plain_rows, WORK)
    say(f"pandas read_csv + to_sql into {plain_target}: {t_plain:.2f} s for {plain_rows:,} rows")

    t_floor = run_floor(obs_csv, WORK, keyed=True)
    t_bare = run_floor(obs_csv, WORK, keyed=False)
    say(
        f"floor (DuckDB INSERT INTO t SELECT * FROM arrow, committed, best of 3): "
        f"{t_floor:.2f} s into a table with the store's key, {t_bare:.2f} s without"
    )

    lat = run_series(db, layout, args.lookups, args.seed)

    e2e, plain, floor, bare = rows / t_statlib, plain_rows / t_plain, rows / t_floor, rows / t_bare
    figures = [
        (
            f"statlib ingest_file end to end ({rows:,} rows)",
            f"{e2e / 1e6:6.2f} M rows/s",
            f"≥ {MIN_ROWS_PER_S / 1e6:.0f} M rows/s",
            e2e >= MIN_ROWS_PER_S,
        ),
        (
            "  as a share of the floor (keyed)",
            f"{e2e / floor:6.0%}",
            f"≥ {MIN_SHARE_OF_FLOOR:.0%}",
            e2e / floor >= MIN_SHARE_OF_FLOOR,
        ),
        ("  as a share of the bare insert (no key)", f"{e2e / bare:6.0%}", "", None),
        (
            f"pandas read_csv + to_sql ({plain_rows:,} rows)",
            f"{plain / 1e6:6.3f} M rows/s",
            plain_target,
            None,
        ),
        (
            f"floor: DuckDB bulk insert from memory, keyed ({rows:,} rows)",
            f"{floor / 1e6:6.2f} M rows/s",
            "",
            None,
        ),
        (
            f"bare DuckDB bulk insert, no key ({rows:,} rows)",
            f"{bare / 1e6:6.2f} M rows/s",
            "",
            None,
        ),
    ]
    for how, (p50, p95) in lat.items():
        figures += [
            (
                f"store.series by {how}, p50 ({args.lookups} calls)",
                f"{p50:6.2f} ms",
                f"< {MAX_P50_MS:.0f} ms",
                p50 < MAX_P50_MS,
            ),
            (
                f"store.series by {how}, p95",
                f"{p95:6.2f} ms",
                f"< {MAX_P95_MS:.0f} ms",
                p95 < MAX_P95_MS,
            ),
        ]
    code = verdict(
        f"bench/ingest.py {date.today()} — {rows:,} rows, CSV "
        f"{size / 1e6:,.0f} MB, load average now {os.getloadavg()[0]:.1f}",
        figures,
        problems,
        width=16,
        say=say,
    )
    if not args.keep:
        shutil.rmtree(WORK, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
