"""Commands that only read work while another process (a notebook's kernel) holds the store."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from statlib.cli import main

BULLETIN = Path(__file__).parents[2] / "notebooks" / "bulletin.ipynb"

_HOLD = """
import sys, statlib
store = statlib.open_store(sys.argv[1])  # as a kernel opens it: read-only, the default
store.region("990200")
print("open", flush=True)
sys.stdin.read()
"""


@pytest.fixture()
def held(db_copy: Path) -> Iterator[Path]:
    """``db_copy`` held open read-only by another process, as an analyst's kernel holds it."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(db_copy)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "open"
    try:
        yield db_copy
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["db", "info"], "observations"),
        (["query", "-i", "地区生产总值", "-r", "990200"], "地区生产总值"),
        (["db", "revisions", "地区生产总值", "990200"], "revisions, latest − first"),
        (["check", "--period", "2023-11"], "阻断 blocking"),
        (["registry", "list", "--year", "2023"], ""),
        (["registry", "calendar", "2023"], "nothing registered"),
        (["site"], "site"),
    ],
)
def test_a_reading_command_works_beside_a_kernel(
    held: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], words: str
) -> None:
    monkeypatch.setenv("STATLIB_DB", str(held))
    monkeypatch.setenv("STATLIB_OUTPUTS", str(tmp_path / "outputs"))
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 7), result.output  # check: 7 is a blocking rule failing
    assert words in result.output
    assert "conflicting lock" not in result.output.lower()


def test_preview_works_beside_a_kernel(
    held: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATLIB_DB", str(held))
    monkeypatch.setenv("STATLIB_OUTPUTS", str(tmp_path / "outputs"))
    monkeypatch.setenv("STATLIB_WORK", str(tmp_path / "work"))
    result = CliRunner().invoke(main, ["preview", str(BULLETIN), "-p", "region", "990202"])
    assert result.exit_code == 0, result.output
    assert "bulletin.internal.html" in result.output


def test_a_writer_is_refused_beside_a_kernel(held: Path) -> None:
    """Why the reading commands open read-only: DuckDB refuses a writer beside any reader."""
    from statlib.store import open_store

    with pytest.raises(Exception, match=r"(?i)lock"):
        open_store(str(held), read_only=False)


def test_a_writing_command_says_it_writes() -> None:
    for args in (["registry", "add", "--help"], ["registry", "advance", "--help"]):
        result = CliRunner().invoke(main, args)
        assert "Writes the registry" in result.output
