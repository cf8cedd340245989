"""DuckDB file sharing: many readers at once, one writer, and clear errors — never a new file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from statlib import DataError, StoreLockedError, open_store

HOLD = """
import sys
from statlib import open_store
store = open_store(sys.argv[1], read_only=sys.argv[2] == "ro")
print(store.series("gdp", "990200")["2023Q4"], flush=True)
sys.stdin.read()
"""


def _hold(path: Path, mode: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), mode], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        raise AssertionError(proc.stderr.read() if proc.stderr else "holder died")
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
