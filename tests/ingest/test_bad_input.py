"""Figure R1 of TRUST.md: every malformed input is rejected naming file, row and column.

The corpus and the expected positions live in ``tests/fixtures/bad/README.md`` (one table line
per file). For each file: ingest it into a copy of one database built once per module, expect an
``InputError`` with the file, row and column of the table and a hint, and find every table's
content unchanged afterwards (no partial load). A few cases are written at test time
(``GENERATED``: a symlink loop, 200 KB fields, files beyond a bound lowered by its variable).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest

from statlib.errors import InputError
from statlib.ingest import ingest_file
from statlib.ingest.bundle import build
from statlib.store import open_store

BAD = Path(__file__).resolve().parents[1] / "fixtures" / "bad"
GOOD_LONG = "indicator,region,period,value,flags\ngdp,990200,2023Q3,6100.2,\n"
BIG = "x" * 200_000


def _workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    for row in (
        ["indicator", "region", "period", "value"],
        ["gdp", "990200", "2023Q2", 4100.5],
        ["gdp", "990200", "2023Q3", 6100.2],
        ["gdp", "990200", "2023Q4", 8200.1],
    ):
        wb.active.append(row)
    wb.save(path)


def _loop(path: Path) -> None:
    path.symlink_to(path.name)  # relative: the link points at itself


# name → (writer, environment): cases that cannot or should not be committed as files
GENERATED: dict[str, tuple[Callable[[Path], object], dict[str, str]]] = {
    "gen_symlink_loop.csv": (_loop, {}),
    "gen_field_200kb.csv": (lambda p: p.write_text(GOOD_LONG + f"{BIG},990200,2023Q4,1.0,\n"), {}),
    "gen_field_200kb_in_value.csv": (
        lambda p: p.write_text(GOOD_LONG + f"gdp,990200,2023Q4,{BIG},\n"),
        {},
    ),
    "gen_wide_field_200kb.csv": (
        lambda p: p.write_text(
            f"指标,2024年3月,2024年2月\n社会消费品零售总额(亿元),301.5,{BIG}\n", encoding="utf-8"
        ),
        {},
    ),
    "gen_bytes_over_limit.csv": (
        lambda p: p.write_text(GOOD_LONG * 5),
        {"STATLIB_INGEST_MAX_BYTES": "100"},
    ),
    "gen_xlsx_rows_over_limit.xlsx": (_workbook, {"STATLIB_INGEST_MAX_ROWS": "3"}),
    "gen_csv_rows_over_limit.csv": (
        lambda p: p.write_text(GOOD_LONG + "gdp,990200,2023Q4,8200.1,\ngdp,990200,2023Q2,1.5,\n"),
        {"STATLIB_INGEST_MAX_ROWS": "2"},
    ),
    "gen_timeout.xlsx": (_workbook, {"STATLIB_INGEST_TIMEOUT": "0"}),
}


@contextmanager
def _case(name: str, folder: Path) -> Iterator[Path]:
    """The path of corpus file ``name`` (written into ``folder`` if generated), with its
    environment in force."""
    if name not in GENERATED:
        yield BAD / name
        return
    write, env = GENERATED[name]
    path = folder / name
    if not path.exists() and not path.is_symlink():
        write(path)
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield path
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


_LINE = re.compile(
    r"^\| `(?P<file>[^`]+)` \| (?P<what>.+) \| (?P<row>[^|]+) \| (?P<column>[^|]+) \|$"
)


def _corpus() -> list[tuple[str, int | None, str | None]]:
    cases = []
    for line in (BAD / "README.md").read_text(encoding="utf-8").splitlines():
        m = _LINE.match(line.strip())
        if m:
            row, column = m["row"].strip(), m["column"].strip()
            cases.append(
                (m["file"], None if row == "—" else int(row), None if column == "—" else column)
            )
    return cases


CORPUS = _corpus()


def test_corpus_table_matches_folder() -> None:
    listed = {name for name, _, _ in CORPUS}
    on_disk = {p.name for p in BAD.iterdir() if p.suffix in (".csv", ".xlsx")}
    assert listed == on_disk | set(GENERATED)
    assert not on_disk & set(GENERATED)
    assert len(CORPUS) >= 60


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


def _content(store) -> dict[str, tuple[int, int]]:
    """Every table's row count and the sum of its rows' hashes (independent of row order),
    computed inside DuckDB: holding every row as Python tuples, twice per case, took the test
    process to 7 GB over the corpus."""
    con = store.backend.duckdb
    tables = [
        t
        for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
        ).fetchall()
    ]
    assert {"observation", "vintage", "indicator", "region"} <= set(tables)
    return {
        t: con.execute(f'SELECT count(*), coalesce(sum(hash(r)), 0) FROM "{t}" AS r').fetchone()
        for t in tables
    }


def _reject(db: Path, name: str) -> tuple[InputError | BaseException | None, bool]:
    """Ingest one bad file: the exception raised (None if it loaded) and whether content held."""
    with open_store(str(db), read_only=False) as store:
        before = _content(store)
        error: BaseException | None = None
        with _case(name, db.parent) as path:
            try:
                ingest_file(store, path)
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


@pytest.mark.parametrize(
    ("name", "row", "column"),
    [
        ("text_in_number_yi.csv", 4, "value"),
        ("xlsx_formula.xlsx", 3, "D"),
    ],
)
def test_cli_exit_code_4(db: Path, name: str, row: int, column: str) -> None:
    exe = shutil.which("statlib")
    cmd = [exe] if exe else [sys.executable, "-c", "from statlib.cli import main; main()"]
    proc = subprocess.run(
        [*cmd, "ingest", str(BAD / name), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 4, proc.stderr
    assert "error: " in proc.stderr
    assert name in proc.stderr and f"row {row}" in proc.stderr
    assert f"column {column!r}" in proc.stderr


def test_r1_summary(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """R1: N tried, N rejected naming file, row and column; 0 partial loads, 0 silent (one
    shared database: nothing may stick)."""
    rejected = partial = silent = 0
    misses = []
    for name, row, column in CORPUS:
        error, unchanged = _reject(db, name)
        ok = (
            isinstance(error, InputError)
            and error.file is not None
            and Path(error.file).name == name
            and (error.row, error.column) == (row, column)
            and " — " in str(error)
        )
        rejected += ok
        partial += not unchanged
        silent += error is None
        if not ok:
            misses.append(f"{name}: {error!r}")
    n = len(CORPUS)
    located = sum(1 for _, r, c in CORPUS if r is not None and c is not None)
    with capsys.disabled():
        print(
            f"\nR1: {n} tried, {rejected} rejected naming file, row and column ({located} "
            f"with both a row and a column, {n - located} where none is meaningful: an empty "
            f"file, not a workbook, a link loop, a byte or time bound); {partial} partial "
            f"loads, {silent} silent"
        )
    assert not misses, "\n".join(misses)
    assert partial == 0 and silent == 0


PG_CASES = (
    "dup_period_month_unpadded.csv",
    "dup_period_year_and_nian.csv",
    "dup_region_fullwidth_code.csv",
    "xlsx_dup_date_cell_and_text.xlsx",
    "value_nan.csv",
    "value_inf.csv",
    "value_underscore_1_000.csv",
    "contributors_fraction.csv",
    "nbs_indicator_typo.csv",
    "truncated_mid_number_no_newline.csv",
)


@pytest.mark.parametrize("name", PG_CASES)
def test_bad_file_is_rejected_on_postgresql(pg_writable, name: str) -> None:
    """The key, NaN and duplicate cases on the shared-server backend: the same error, and the
    server's tables unchanged (no UniqueViolation, no NaN stored as NULL)."""
    row, column = next((r, c) for n, r, c in CORPUS if n == name)
    be = pg_writable.backend

    def content() -> dict[str, str]:
        out = {}
        for table in ("observation", "vintage", "indicator", "region"):
            frame = be.query(f"SELECT * FROM {table}")
            out[table] = frame.sort_values(list(frame.columns)).to_csv(index=False)
        return out

    before = content()
    with pytest.raises(InputError) as err:
        ingest_file(pg_writable, BAD / name)
    assert Path(err.value.file or "").name == name
    assert (err.value.row, err.value.column) == (row, column), str(err.value)
    assert content() == before
