"""A load killed with SIGKILL leaves the database as before or as after, never a mix (R4)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from statlib import open_store

LOAD = """
import sys
from statlib import open_store
from statlib.ingest import ingest_file
with open_store(sys.argv[1], read_only=False) as store:
    print("loading", flush=True)
    ingest_file(store, sys.argv[2])
print("done", flush=True)
"""


def _big_file(db: Path, path: Path, rows: int) -> None:
    """A long CSV of new monthly observations for the demo catalogue (periods 1800-01 on)."""
    with open_store(str(db)) as store:
        inds = [i.code for i in store._indicators.values() if i.frequency == "M"]
        regs = sorted(store._regions)
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT i.code AS indicator, r.code AS region, "
        f"(1800 + m // 12)::VARCHAR || '-' || lpad((m % 12 + 1)::VARCHAR, 2, '0') AS period, "
        f"round(m * 0.37 + 1, 2) AS value FROM (SELECT unnest(?) AS code) i, "
        f"(SELECT unnest(?) AS code) r, range({rows // (len(inds) * len(regs)) + 1}) t(m) "
        f"LIMIT {rows}) TO '{path}' (HEADER)",
        [inds, regs],
    )


def _state(db: Path) -> tuple[int, int, int]:
    with open_store(str(db)) as store:
        q = store.backend.scalar
        return (
            int(q("SELECT count(*) FROM observation")),
            int(q("SELECT count(*) FROM vintage")),
            int(q("SELECT coalesce(max(vintage), 0) FROM observation")),
        )


def test_sigkill_during_ingest(db_copy: Path, tmp_path: Path) -> None:
    rows = 3_000_000
    big = tmp_path / "big.csv"
    _big_file(db_copy, big, rows)
    before = _state(db_copy)
    proc = subprocess.Popen(
        [sys.executable, "-c", LOAD, str(db_copy), str(big)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "loading"
    time.sleep(0.5)  # inside the bulk insert (a 3 M-row load takes over a second)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    after = _state(db_copy)
    assert after == before or after == (before[0] + rows, before[1] + 1, before[2] + 1)
    assert after == before, "the kill came after the commit: raise `rows` so it lands inside"
