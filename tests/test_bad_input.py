"""Figure R1 of TRUST.md: every malformed input is rejected naming file, row and column.

The corpus and the expected positions live in ``tests/fixtures/bad/README.md`` (one table line
per file). For each file: ingest it into a copy of one database built once per module, expect an
``InputError`` with the file, row and column of the table and a hint, and find every table's
content unchanged afterwards (no partial load).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from statlib.errors import InputError
from statlib.ingest import ingest_file
from statlib.store import build, open_store

BAD = Path(__file__).parent / "fixtures" / "bad"
_LINE = re.compile(
    r"^\| `(?P<file>[^`]+)` \| (?P<what>.+) \| (?P<row>[^|]+) \| (?P<column>[^|]+) \|$")


def _corpus() -> list[tuple[str, int | None, str | None]]:
    cases = []
    for line in (BAD / "README.md").read_text(encoding="utf-8").splitlines():
        m = _LINE.match(line.strip())
        if m:
            row, column = m["row"].strip(), m["column"].strip()
            cases.append((m["file"], None if row == "—" else int(row),
                          None if column == "—" else column))
    return cases


CORPUS = _corpus()


def test_corpus_table_matches_folder() -> None:
    listed = {name for name, _, _ in CORPUS}
    on_disk = {p.name for p in BAD.iterdir() if p.suffix in (".csv", ".xlsx")}
    assert listed == on_disk
    assert len(CORPUS) >= 24


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bad_input") / "base.duckdb"
    build(str(path), force=True)
    return path


@pytest.fixture
def db(base_db: Path, tmp_path: Path) -> Path:
    """A fresh copy of the module's database: every test starts from the same content."""
    path = tmp_path / "statlib.duckdb"
    shutil.copyfile(base_db, path)
    return path


def _content(store) -> dict[str, list[tuple]]:
    """Every row of every table, in a canonical order."""
    con = store.backend.con
    tables = [t for (t,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()]
    assert {"observation", "vintage", "indicator", "region"} <= set(tables)
    return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}


def _reject(db: Path, name: str) -> tuple[InputError | BaseException | None, bool]:
    """Ingest one bad file: the exception raised (None if it loaded) and whether content held."""
    with open_store(str(db), read_only=False) as store:
        before = _content(store)
        error: BaseException | None = None
        try:
            ingest_file(store, BAD / name)
        except Exception as exc:  # anything but InputError is a finding
            error = exc
        unchanged = _content(store) == before
    return error, unchanged


@pytest.mark.parametrize(("name", "row", "column"), CORPUS, ids=[c[0] for c in CORPUS])
def test_bad_file_is_rejected(db: Path, name: str, row: int | None, column: str | None) -> None:
    error, unchanged = _reject(db, name)
    assert isinstance(error, InputError), f"{name}: expected InputError, got {error!r}"
    assert error.file is not None and Path(error.file).name == name, str(error)
    assert (error.row, error.column) == (row, column), str(error)
    assert error.exit_code == 4
    assert error.hint and " — " in str(error), str(error)
    assert unchanged, f"{name}: the database content changed after the rejection"


def test_duplicate_key_names_both_rows(db: Path) -> None:
    error, _ = _reject(db, "duplicate_key.csv")
    assert isinstance(error, InputError)
    assert "also row 4" in str(error)


@pytest.mark.parametrize(("name", "row", "column"), [
    ("text_in_number_yi.csv", 4, "value"),
    ("xlsx_formula.xlsx", 3, "D"),
])
def test_cli_exit_code_4(db: Path, name: str, row: int, column: str) -> None:
    exe = shutil.which("statlib")
    cmd = [exe] if exe else [sys.executable, "-c", "from statlib.cli import main; main()"]
    proc = subprocess.run([*cmd, "ingest", str(BAD / name), "--db", str(db)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 4, proc.stderr
    assert "error: " in proc.stderr
    assert name in proc.stderr and f"row {row}" in proc.stderr
    assert f"column {column!r}" in proc.stderr


def test_r1_summary(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """R1: N/N rejected naming file, row and column; 0 partial loads (one shared database)."""
    rejected = partial = 0
    misses = []
    for name, row, column in CORPUS:
        error, unchanged = _reject(db, name)  # the same database throughout: nothing may stick
        ok = (isinstance(error, InputError) and error.file is not None
              and Path(error.file).name == name and (error.row, error.column) == (row, column)
              and " — " in str(error))
        rejected += ok
        partial += not unchanged
        if not ok:
            misses.append(f"{name}: {error!r}")
    n = len(CORPUS)
    located = sum(1 for _, r, c in CORPUS if r is not None and c is not None)
    with capsys.disabled():
        print(f"\nR1: {rejected}/{n} rejected naming file, row and column "
              f"({located} with both a row and a column, {n - located} where none is "
              f"meaningful); {partial} partial loads")
    assert not misses, "\n".join(misses)
    assert partial == 0
