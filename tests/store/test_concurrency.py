"""DuckDB file sharing: many readers at once, one writer, and clear errors — never a new file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from statlib import DataError, StoreLockedError, open_store
from statlib.store.store import Store

HOLD = """
import sys
from statlib import open_store
store = open_store(sys.argv[1], read_only=sys.argv[2] == "ro")
print(store.series("gdp", "990200")["2023Q4"], flush=True)
sys.stdin.read()
"""


def _started(script: str, *args: str) -> tuple[subprocess.Popen[str], str]:
    """A holder process running ``script`` and the first line it printed (once it holds)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        raise AssertionError(proc.stderr.read() if proc.stderr else "holder died")
    return proc, line


def _hold(path: Path, mode: str) -> subprocess.Popen[str]:
    proc, line = _started(HOLD, str(path), mode)
    assert float(line) == 2846.39
    return proc


def _release(proc: subprocess.Popen[str]) -> None:
    proc.communicate(timeout=30)
    assert proc.returncode == 0


def test_many_readers_at_once(db_copy: Path) -> None:
    holders = [_hold(db_copy, "ro"), _hold(db_copy, "ro")]
    with open_store(str(db_copy)) as store:  # a third reader, in this process
        assert store.series("gdp", "990200")["2023Q4"] == 2846.39
    for proc in holders:
        _release(proc)


@pytest.mark.parametrize("read_only", [False, True])
def test_writer_holding_the_file_is_named(db_copy: Path, read_only: bool) -> None:
    writer = _hold(db_copy, "rw")
    try:
        with pytest.raises(StoreLockedError) as err:
            open_store(str(db_copy), read_only=read_only)
        assert f"PID {writer.pid}" in str(err.value)
        assert "wait" in str(err.value)
        assert err.value.exit_code == 3
    finally:
        _release(writer)


def test_missing_database_is_not_created(tmp_path: Path) -> None:
    target = tmp_path / "absent.duckdb"
    for read_only in (True, False):
        with pytest.raises(DataError, match="statlib db init"):
            open_store(str(target), read_only=read_only)
    assert not target.exists()


def test_damaged_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "damaged.duckdb"
    target.write_bytes(b"this is not a database" * 100)
    before = target.read_bytes()
    with pytest.raises(DataError, match="db init"):
        open_store(str(target), read_only=False)
    assert target.read_bytes() == before


# -- concurrent writers on both backends ---------------------------------------------------------
# PostgreSQL: every write transaction takes the store's advisory lock first, so concurrent
# ingests run one after the other and all succeed, each with its own vintage (a writer waits at
# most STATLIB_LOCK_WAIT seconds, then stops with a message naming the holder). DuckDB: one
# writer at a time (DuckDB's file lock); a second writer stops at once with a message naming the
# holder's PID and what to do — nothing of it is stored, and a retry loads it.

INGESTS = 3
REGIONS = ("990202", "990203", "990204", "990205")


def _csv(folder: Path, i: int) -> Path:
    """A small long-format file of its own values (indicator gdp, periods of year 2030 + i)."""
    path = folder / f"load{i}.csv"
    lines = ["indicator,region,period,value,flags,contributors,top1_share,top2_share"]
    for q in range(1, 5):
        for j, region in enumerate(REGIONS):
            lines.append(f"gdp,{region},{2030 + i}Q{q},{100 * i + 10 * q + j}.5,,,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _cli(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    import os

    return subprocess.Popen(
        [sys.executable, "-m", "statlib.cli", *args],
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )


GO = """
import subprocess, sys, time
from pathlib import Path
go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.01)
sys.exit(subprocess.call([sys.executable, "-m", "statlib.cli", *sys.argv[2:]]))
"""


def _race(tmp_path: Path, url: str, files: list[Path]) -> list[subprocess.CompletedProcess[str]]:
    """Start one `statlib ingest` per file, released at the same moment."""
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", GO, str(go), "ingest", str(f), "--db", url],
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for f in files
    ]
    go.touch()
    done = []
    for f, p in zip(files, procs, strict=True):
        out, err = p.communicate(timeout=300)
        done.append(subprocess.CompletedProcess([str(f)], p.returncode, out, err))
    return done


def _loaded(url: str) -> tuple[list[int], dict[str, set[int]]]:
    """The vintage ids and, per source file, the vintages its 2030+ values carry."""
    with open_store(url) as store:
        ids = [int(v) for v in store.vintages()["id"]]
        rows = store.backend.query(
            "SELECT v.source, o.vintage, count(*) AS n FROM observation o "
            "JOIN vintage v ON v.id = o.vintage WHERE o.period >= '2030' "
            "GROUP BY v.source, o.vintage ORDER BY o.vintage"
        )
    by_file: dict[str, set[int]] = {}
    for src, vid, n in rows.itertuples(index=False):
        assert int(n) == 4 * len(REGIONS), f"{src}: {n} rows, not {4 * len(REGIONS)}"
        by_file.setdefault(str(src), set()).add(int(vid))
    return ids, by_file


def test_concurrent_ingests_serialize_on_postgresql(pg_writable: Store, tmp_path: Path) -> None:
    url = pg_writable.url
    before = pg_writable.latest_vintage()
    pg_writable.close()
    files = [_csv(tmp_path, i) for i in range(INGESTS)]
    results = _race(tmp_path, url, files)
    for r in results:
        assert r.returncode == 0, f"{r.args[0]}: {r.stderr}"
        assert "vintage" in r.stdout
    ids, by_file = _loaded(url)
    assert ids == list(range(1, before + INGESTS + 1))  # 1..n, none taken twice, no gap
    assert sorted(by_file) == sorted(f.name for f in files)
    assert sorted(v for vs in by_file.values() for v in vs) == list(
        range(before + 1, before + INGESTS + 1)
    )
    print(
        f"R4: {INGESTS}/{INGESTS} concurrent ingests into one PostgreSQL store succeeded, "
        f"vintages {before + 1}..{before + INGESTS} distinct, 0 rows lost"
    )


HOLD_WRITE = """
import sys
from statlib import open_store
store = open_store(sys.argv[1], read_only=False)
with store.backend.transaction():
    vid = store.latest_vintage() + 1   # what an ingest does: the next id, inside the lock
    store.backend.execute(
        "INSERT INTO vintage (id, loaded_at, source, sha256, reader, rows_read, rows_added) "
        "VALUES (?, now(), 'holder', 'x', 'test', 0, 0)", [vid])
    print(vid, flush=True)
    sys.stdin.readline()
"""


def _hold_write(url: str) -> subprocess.Popen[str]:
    proc, line = _started(HOLD_WRITE, url)
    proc.held_vintage = int(line)  # type: ignore[attr-defined]
    return proc


def _waiting_writers(url: str) -> int:
    import psycopg

    from statlib.store.backends import WRITE_LOCK_KEY

    with psycopg.connect(url, autocommit=True) as con:
        row = con.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
            "NOT granted AND classid = %s AND objid = %s",
            [WRITE_LOCK_KEY >> 32, WRITE_LOCK_KEY & 0xFFFF_FFFF],
        ).fetchone()
    return int(row[0]) if row else 0


def test_postgresql_writer_waits_for_the_holder(pg_writable: Store, tmp_path: Path) -> None:
    """An ingest started while another writer holds the lock waits, then takes the next id
    (without the lock both took max + 1 and the second crashed on vintage_pkey)."""
    import time

    url = pg_writable.url
    pg_writable.close()
    holder = _hold_write(url)
    ingest = _cli(["ingest", str(_csv(tmp_path, 7)), "--db", url])
    try:
        for _ in range(3000):  # until the ingest is queued behind the holder (or has died)
            if _waiting_writers(url) or ingest.poll() is not None:
                break
            time.sleep(0.01)
        assert ingest.poll() is None, ingest.communicate()
        assert _waiting_writers(url) == 1
    finally:
        holder.communicate("\n", timeout=30)
    _, err = ingest.communicate(timeout=120)
    assert ingest.returncode == 0, err
    ids, by_file = _loaded(url)
    held = holder.held_vintage  # type: ignore[attr-defined]
    assert by_file == {"load7.csv": {held + 1}}
    assert ids[-2:] == [held, held + 1]


def test_postgresql_writer_gives_up_with_a_clear_message(
    pg_writable: Store, tmp_path: Path
) -> None:
    url = pg_writable.url
    before = pg_writable.info()
    pg_writable.close()
    holder = _hold_write(url)
    try:
        ingest = _cli(
            ["ingest", str(_csv(tmp_path, 8)), "--db", url], env={"STATLIB_LOCK_WAIT": "1"}
        )
        _, err = ingest.communicate(timeout=120)
    finally:
        holder.communicate("\n", timeout=30)
    assert ingest.returncode == 3, err
    assert f"PID {holder.pid} on " in err  # the holder: its statlib process and host
    assert "write lock" in err and "did not finish within 1 s" in err
    assert "retry" in err and "STATLIB_LOCK_WAIT" in err
    assert "Traceback" not in err
    with open_store(url) as store:  # nothing of the refused ingest; the holder's row only
        after = store.info()
        assert after["observations"] == before["observations"]
        assert after["vintages"] == before["vintages"] + 1
        assert not store.backend.query("SELECT 1 FROM observation WHERE period >= '2030'").shape[0]


def test_concurrent_ingests_on_duckdb_refuse_clearly(db_copy: Path, tmp_path: Path) -> None:
    url = str(db_copy)
    with open_store(url) as store:
        before = store.latest_vintage()
    files = [_csv(tmp_path, i) for i in range(INGESTS)]
    results = _race(tmp_path, url, files)
    ok = [r for r in results if r.returncode == 0]
    refused = [r for r in results if r.returncode != 0]
    assert ok, "no ingest succeeded"
    for r in refused:
        assert r.returncode == 3, r.stderr
        assert "locked by" in r.stderr and "(PID " in r.stderr, r.stderr
        assert "wait for that process to finish" in r.stderr and "retry" in r.stderr
        assert "Traceback" not in r.stderr
    ids, by_file = _loaded(url)
    assert sorted(by_file) == sorted(r.args[0].rsplit("/", 1)[1] for r in ok)  # nothing else
    assert ids == list(range(1, before + len(ok) + 1))
    for r in refused:  # the retry the message asks for loads it
        again = _cli(["ingest", r.args[0], "--db", url])
        _, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
    ids, by_file = _loaded(url)
    assert ids == list(range(1, before + INGESTS + 1))
    assert sorted(by_file) == sorted(f.name for f in files)
    print(
        f"R4: {INGESTS} concurrent ingests into one DuckDB store: {len(ok)} loaded, "
        f"{len(refused)} refused at once naming the holder's PID (exit 3), 0 half-loaded; "
        "retried, all loaded with distinct vintages"
    )


@pytest.mark.parametrize("wait", ["abc", "0", "-5", "1e9"])
def test_bad_lock_wait_is_refused(pg_demo: str, monkeypatch: pytest.MonkeyPatch, wait: str) -> None:
    monkeypatch.setenv("STATLIB_LOCK_WAIT", wait)
    with pytest.raises(DataError, match=f"STATLIB_LOCK_WAIT='{wait}': write a number of seconds"):
        open_store(pg_demo, read_only=False)
