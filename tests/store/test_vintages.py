"""Vintages as published (issue 15): 内蒙古's 2023 GDP as first released (24627.0 亿元, published
2024-01-19, tests/fixtures/vintages/README.md) and as revised after the fifth economic census
(25020.5, data/nbs/分省年度数据.csv), loaded in either order, on DuckDB and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from statlib.cli import main
from statlib.errors import ConfigError, DataError, InputError
from statlib.ingest import ingest_file
from statlib.ingest.bundle import load_catalogue, sources
from statlib.store import open_store, schema
from statlib.store.backends import open_backend
from statlib.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
ORIGINAL = ROOT / "tests" / "fixtures" / "vintages" / "内蒙古地区生产总值_2023年初步核算.csv"
REVISED = ROOT / "data" / "nbs" / "分省年度数据.csv"
RELEASED = dt.date(2024, 1, 19)  # the original's 发布时间 line


def _empty(backend: str, tmp: Path, pg_server: str | None) -> str:
    """A new database holding the catalogues only (regions, indicators), no observations."""
    if backend == "duckdb":
        url = str(tmp / f"{uuid.uuid4().hex[:8]}.duckdb")
    else:
        import psycopg

        assert pg_server is not None
        name = f"statlib_test_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(pg_server, autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name}")
        url = f"{pg_server.rpartition('/')[0]}/{name}"
    be = open_backend(url, read_only=False, create=True)
    be.create_schema()
    be.execute("INSERT INTO statlib_meta VALUES ('schema_version', ?)", [schema.SCHEMA_VERSION])
    store = Store(be)
    src = sources(ROOT / "data")
    for table in ("region", "indicator"):
        for path in src[f"{table}s"]:
            load_catalogue(store, path, table)
    store.close()
    return url


def _server(request: pytest.FixtureRequest, backend: str) -> str | None:
    return request.getfixturevalue("pg_server") if backend == "postgresql" else None


ORDERS = {
    "revised, then original": (REVISED, ORIGINAL),
    "original, then revised": (ORIGINAL, REVISED),
}


def _load_both(url: str, order: str) -> dict[str, int]:
    """Load the two files in ``order``; the vintage id of each."""
    ids = {}
    with open_store(url, read_only=False) as store:
        for path in ORDERS[order]:
            report = ingest_file(store, path)
            assert report.vintage is not None, report.message
            ids["original" if path == ORIGINAL else "revised"] = report.vintage
    return ids


# a read-only DuckDB store keeps the vintages' order and picks rows in Python; a writable one
# and PostgreSQL pick them in SQL (statlib.store.store.Store._stored): both ways are asked
OPENINGS = [("duckdb", True), ("duckdb", False), ("postgresql", True)]


@pytest.fixture(
    scope="module",
    params=[(b, ro, o) for b, ro in OPENINGS for o in ORDERS],
    ids=lambda p: f"{p[0]} {'read-only' if p[1] else 'writable'}: {p[2]}",
)
def both(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, dict[str, int]]]:
    """The two files loaded in one order: the store (opened read-only or writable) and the
    vintage id of each file."""
    backend, read_only, order = request.param
    url = _empty(backend, tmp_path_factory.mktemp("both"), _server(request, backend))
    ids = _load_both(url, order)
    with open_store(url, read_only=read_only) as store:
        yield store, ids


# (query, arguments, 内蒙古 2023, 内蒙古 2022: a year only the revised file holds)
QUERIES: list[tuple[str, dict[str, Any], float | None, float | None]] = [
    ("first published", {"vintage": "first"}, 24627.0, 23795.7),
    ("latest", {}, 25020.5, 23795.7),
    ("latest, by name", {"vintage": "latest"}, 25020.5, 23795.7),
    ("as of a day between", {"as_of": "2024-06-30"}, 24627.0, None),
    ("as of the release day", {"as_of": RELEASED}, 24627.0, None),
    ("as of a day before both", {"as_of": "2024-01-18"}, None, None),
    ("vintage of the original", {"vintage": "original"}, 24627.0, None),
    ("vintage of the revised", {"vintage": "revised"}, 25020.5, 23795.7),
]


@pytest.mark.parametrize(
    ("query", "kwargs", "y2023", "y2022"), QUERIES, ids=[q[0] for q in QUERIES]
)
def test_either_order_gives_the_published_figures(
    both: tuple[Store, dict[str, int]],
    query: str,
    kwargs: dict[str, Any],
    y2023: float | None,
    y2022: float | None,
) -> None:
    store, ids = both
    if kwargs.get("vintage") in ids:
        kwargs = {"vintage": ids[kwargs["vintage"]]}
    series = store.series("地区生产总值", "内蒙古自治区", **kwargs)
    assert series.get("2023") == y2023
    assert series.get("2022") == y2022
    assert store.value("gdp", "150000", "2023", **kwargs) == y2023
    assert store.cross_section("gdp", ["150000", "110000"], "2023", **kwargs).get("150000") == y2023
    if y2023 is not None:  # the other provinces have one vintage: the revised one's values
        beijing = store.value("gdp", "北京市", "2023", **kwargs)
        assert beijing == (47353.7 if y2022 is not None else None)


def test_revision_table(both: tuple[Store, dict[str, int]]) -> None:
    store, ids = both
    table = store.revisions("地区生产总值", "内蒙古自治区", start="2022", end="2024")
    assert list(table.index) == ["2022", "2023", "2024"]
    row = table.loc["2023"]
    assert (row["first"], row["latest"], row["revision"]) == (24627.0, 25020.5, 393.5)
    assert row["revision_pct"] == pytest.approx(393.5 / 24627.0 * 100)  # 1.60 %
    assert row["first_published"] == RELEASED
    assert (row["first_vintage"], row["latest_vintage"]) == (ids["original"], ids["revised"])
    assert row["latest_published"] == store.vintage_order().published[ids["revised"]]
    for year, value in (("2022", 23795.7), ("2024", 26337.0)):  # one vintage: no revision
        unchanged = table.loc[year]
        assert (unchanged["first"], unchanged["latest"], unchanged["revision"]) == (value, value, 0)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("backend", ["duckdb", "postgresql"])
def test_loading_either_file_again_adds_nothing(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str, order: str
) -> None:
    url = _empty(backend, tmp_path, _server(request, backend))
    ids = _load_both(url, order)
    with open_store(url, read_only=False) as store:
        for path in ORDERS[order]:
            again = ingest_file(store, path)
            assert (again.rows_added, again.vintage) == (0, None)
            assert again.message.startswith("same content as vintage")
        assert store.latest_vintage() == max(ids.values())


def test_the_vintage_log_says_which_date_orders_a_vintage(
    both: tuple[Store, dict[str, int]],
) -> None:
    store, ids = both
    log = store.vintages().set_index("id")
    assert log.loc[ids["original"], "published"] == RELEASED
    assert log.loc[ids["original"], "dated_by"] == "published"
    assert log.loc[ids["revised"], "published"] is None  # no date given: the load date stands in
    assert log.loc[ids["revised"], "dated_by"] == "loaded_at"
    order = store.vintage_order()
    assert order.ids == (ids["original"], ids["revised"])  # publication order, either load order


# -- a file loaded before a later vintage that omitted a key ------------------------------------
# Synthetic long files of the demo city (990200): A published 2023-01-20, L 2025-01-20 (2022
# unchanged, so L stores only 2023), then B published 2024-01-19, loaded last, revising 2022.
SCENARIO = [
    ("a.csv", "2023-01-20", ["gdp,990200,2021,1900.0", "gdp,990200,2022,2000.0"]),
    ("l.csv", "2025-01-20", ["gdp,990200,2022,2000.0", "gdp,990200,2023,2100.0"]),
    ("b.csv", "2024-01-19", ["gdp,990200,2022,1990.0", "gdp,990200,2021,1900.0"]),
]
ANSWERS: list[tuple[dict[str, Any], float | None, float | None]] = [
    ({}, 2000.0, 2100.0),  # L implied 2022 = 2000.0 by omitting it: latest stays L's
    ({"vintage": "first"}, 2000.0, 2100.0),
    ({"as_of": "2023-06-30"}, 2000.0, None),
    ({"as_of": "2024-06-30"}, 1990.0, None),  # B, published by then
    ({"as_of": "2025-01-20"}, 2000.0, 2100.0),  # on L's day: as before B was loaded
    ({"vintage": "L"}, 2000.0, 2100.0),
    ({"vintage": "B"}, 1990.0, None),
]


@pytest.mark.parametrize("backend", ["duckdb", "postgresql"])
def test_an_early_file_loaded_late_keeps_later_answers(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> None:
    url = _empty(backend, tmp_path, _server(request, backend))
    reports = {}
    with open_store(url, read_only=False) as store:
        for name, day, rows in SCENARIO:
            path = tmp_path / name
            path.write_text("indicator,region,period,value\n" + "\n".join(rows) + "\n")
            reports[name[0].upper()] = ingest_file(store, path, published=day)
        assert [r.rows_added for r in reports.values()] == [2, 1, 1]
        assert reports["B"].message == (
            f"vintage {reports['B'].vintage}: 1 new or changed values, published 2024-01-19; "
            f"1 values of vintage {reports['L'].vintage} kept as they stood"
        )
    ids = {k: r.vintage for k, r in reports.items()}
    for read_only in (False, True):  # picked in SQL, and (DuckDB read-only) in Python
        store = open_store(url, read_only=read_only)
        for kwargs, y2022, y2023 in ANSWERS:
            if kwargs.get("vintage") in ids:
                kwargs = {"vintage": ids[kwargs["vintage"]]}
            got = store.series("gdp", "990200", **kwargs)
            assert (got.get("2022"), got.get("2023"), got.get("2021")) == (y2022, y2023, 1900.0)
        table = store.revisions("gdp", "990200", start="2022", end="2022")
        assert table.loc["2022", ["first", "latest", "revision"]].tolist() == [2000.0, 2000.0, 0]
        store.close()


# -- where the publication date comes from -------------------------------------------------------
def _copy_with(tmp_path: Path, line: str | None) -> Path:
    """The original-release file with its 发布时间 line replaced by ``line`` (None: dropped)."""
    lines = ORIGINAL.read_text(encoding="utf-8").splitlines()
    lines = [(line if x.startswith("发布时间") else x) for x in lines]
    path = tmp_path / ORIGINAL.name
    path.write_text("\n".join(x for x in lines if x is not None) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("line", "given", "published"),
    [
        ("发布时间：2024-01-19", None, "2024-01-19"),
        ("发布时间：2024年1月19日", None, "2024-01-19"),
        ("发布日期：2024/1/19 09:30", None, "2024-01-19"),
        (None, "2024-01-19", "2024-01-19"),
        (None, dt.date(2024, 1, 19), "2024-01-19"),
        ("发布时间：2024-01-19", "2024-01-22", "2024-01-22"),  # the caller's date wins
        (None, None, ""),  # no date: the load date stands in
    ],
)
def test_publication_date_from_the_file_or_the_caller(
    writable: Store, tmp_path: Path, line: str | None, given: Any, published: str
) -> None:
    report = ingest_file(writable, _copy_with(tmp_path, line), published=given)
    assert (report.rows_added, report.published) == (1, published)
    log = writable.vintages().iloc[-1]
    assert log["published"] == (dt.date.fromisoformat(published) if published else None)
    assert writable.series("gdp", "150000", as_of="2024-06-30").get("2023") == (
        24627.0 if published else None
    )


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda s, p: ingest_file(s, p, published="2024-13-01"), ConfigError, "published must be"),
        (lambda s, p: ingest_file(s, p, published="19.01.2024"), ConfigError, "YYYY-MM-DD"),
        (lambda s, p: s.series("gdp", "150000", as_of="2024/06/30"), ConfigError, "as_of must"),
        (lambda s, p: s.series("gdp", "150000", as_of="yesterday"), ConfigError, "as_of must"),
        (
            lambda s, p: s.series("gdp", "150000", vintage=1, as_of="2024-06-30"),
            ConfigError,
            "not both",
        ),
        (lambda s, p: s.series("gdp", "150000", vintage=0), DataError, "vintage must be"),
        (lambda s, p: s.series("gdp", "150000", vintage=99999), DataError, "does not exist"),
    ],
)
def test_bad_dates_and_vintages_are_refused(
    writable: Store, tmp_path: Path, call: Any, error: type[Exception], words: str
) -> None:
    before = writable.latest_vintage()
    with pytest.raises(error, match=words):
        call(writable, _copy_with(tmp_path, None))
    assert writable.latest_vintage() == before


def test_a_bad_date_line_is_refused_with_its_row(writable: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        ingest_file(writable, _copy_with(tmp_path, "发布时间：2024-02-30"))
    exc = caught.value
    assert (exc.row, exc.column) == (4, "发布时间")
    assert "'2024-02-30' is not a date" in str(exc) and "2024-03-01" in str(exc)


def test_cli_published_as_of_and_revisions(db_copy: Path, tmp_path: Path) -> None:
    """The demo database holds the revised file (loaded at its build, no date): the original
    release loaded after it with --published goes before it."""
    run = CliRunner().invoke
    db = ["--db", str(db_copy)]
    bad = run(main, ["ingest", str(_copy_with(tmp_path, None)), "--published", "2024-13-01", *db])
    assert bad.exit_code == 2 and "'--published'" in bad.output
    out = run(main, ["ingest", str(_copy_with(tmp_path, None)), "--published", "2024-01-19", *db])
    assert out.exit_code == 0, out.output
    assert "1 new or changed values, published 2024-01-19" in out.output
    info = run(main, ["db", "info", "--vintages", *db])
    line = info.output.strip().splitlines()[-1].split()
    assert line[1:3] == ["2024-01-19", "published"], info.output
    query = [
        "query",
        "-i",
        "地区生产总值",
        "-r",
        "内蒙古自治区",
        "--start",
        "2023",
        "--end",
        "2023",
    ]
    for extra, figure in (([], "25020.50"), (["--as-of", "2024-06-30"], "24627.00")):
        got = run(main, [*query, "--format", "csv", *extra, *db])
        assert got.output.splitlines() == ["period,value", f"2023,{figure}"], got.output
    rev = run(main, ["db", "revisions", "地区生产总值", "内蒙古自治区", "--start", "2023", *db])
    assert rev.exit_code == 0, rev.output
    row = next(x for x in rev.output.splitlines() if x.startswith("2023"))
    assert row.split()[:3] == ["2023", "24627.0", "2024-01-19"]
    assert row.split()[-2:] == ["393.5", "1.6"]
    bad_as_of = run(main, [*query, "--as-of", "2024-06", *db])
    assert bad_as_of.exit_code == 2 and "'--as-of'" in bad_as_of.output


# -- migration of a schema-2 database ------------------------------------------------------------
SCHEMA_2_VINTAGE = (
    "CREATE TABLE vintage (id INTEGER PRIMARY KEY, loaded_at TIMESTAMP NOT NULL, source TEXT NOT "
    "NULL, sha256 TEXT NOT NULL, reader TEXT NOT NULL, rows_read BIGINT NOT NULL, rows_added "
    "BIGINT NOT NULL, note TEXT)"
)


def _schema_2(db_copy: Path) -> tuple[int, int]:
    """Turn the demo copy into a schema-2 database (the vintage table of version 2, every row
    kept); returns its (vintages, observations)."""
    con = duckdb.connect(str(db_copy))
    con.execute("CREATE TABLE _v AS SELECT * EXCLUDE (published) FROM vintage")
    con.execute("DROP TABLE vintage")
    con.execute(SCHEMA_2_VINTAGE)
    con.execute("INSERT INTO vintage SELECT * FROM _v")
    con.execute("DROP TABLE _v")
    con.execute("UPDATE statlib_meta SET value = '2' WHERE key = 'schema_version'")
    counts = con.execute(
        "SELECT (SELECT count(*) FROM vintage), (SELECT count(*) FROM observation)"
    ).fetchone()
    con.close()
    assert counts is not None
    return int(counts[0]), int(counts[1])


def test_a_schema_2_database_is_read_as_it_is_and_migrated_on_write(
    db_copy: Path, tmp_path: Path
) -> None:
    counts = _schema_2(db_copy)
    with open_store(str(db_copy)) as old:  # read-only: no column, the load dates stand in
        before = old.series("gdp", "150000")
        log = old.vintages()
        assert set(log["dated_by"]) == {"loaded_at"} and log["published"].isna().all()
        assert old.series("gdp", "150000", as_of="2024-06-30").empty  # loaded on the build day
    kept = shutil.copy(db_copy, tmp_path / "kept.duckdb")
    with open_store(str(db_copy), read_only=False) as store:  # writable: migrated
        assert schema.has_published(store.backend)
        version = store.backend.scalar("SELECT value FROM statlib_meta")
        assert version == schema.SCHEMA_VERSION == "3"
        got = store.backend.query(
            "SELECT (SELECT count(*) FROM vintage) AS v, (SELECT count(*) FROM observation) AS o"
        )
        assert (int(got["v"][0]), int(got["o"][0])) == counts
        assert store.series("gdp", "150000").equals(before)
        report = ingest_file(store, ORIGINAL)
        assert (report.rows_added, report.published) == (1, "2024-01-19")
    con = duckdb.connect(str(db_copy), read_only=True)
    con.execute(f"ATTACH '{kept}' AS old (READ_ONLY)")
    lost = con.execute(
        "SELECT count(*) FROM (SELECT * FROM old.observation EXCEPT SELECT * FROM observation)"
    ).fetchone()
    same_log = con.execute(
        "SELECT count(*) FROM (SELECT * FROM old.vintage EXCEPT "
        "SELECT * EXCLUDE (published) FROM vintage)"
    ).fetchone()
    con.close()
    assert lost == (0,) and same_log == (0,)


def test_a_schema_2_postgresql_database_is_migrated(pg_server: str, tmp_path: Path) -> None:
    url = _empty("postgresql", tmp_path, pg_server)
    with open_store(url, read_only=False) as store:
        ingest_file(store, REVISED)
        be = store.backend
        be.execute("ALTER TABLE vintage DROP COLUMN published")
        be.execute("UPDATE statlib_meta SET value = '2' WHERE key = 'schema_version'")
    with open_store(url) as old:
        assert old.series("gdp", "150000")["2023"] == 25020.5
    with open_store(url, read_only=False) as store:
        assert schema.has_published(store.backend)
        assert ingest_file(store, ORIGINAL).rows_added == 1
        assert store.series("gdp", "150000", vintage="first")["2023"] == 24627.0
        assert store.series("gdp", "150000")["2023"] == 25020.5


@pytest.mark.parametrize(
    ("revise", "message"),
    [
        (
            False,
            "same content as vintage {v}: nothing added (its values still stand on 2024-01-19)",
        ),
        (True, "every value stood on 2024-01-19: nothing added"),
    ],
)
def test_a_dated_file_loaded_again(writable: Store, revise: bool, message: str) -> None:
    """The demo database holds the revised file (dated by its build): the original release,
    dated 2024-01-19 by its line, goes before it; loaded again it adds nothing, even with
    --revise (its values still stand on its date; the revision after it is still the latest)."""
    first = ingest_file(writable, ORIGINAL)
    assert (first.rows_added, first.published) == (1, "2024-01-19")
    again = ingest_file(writable, ORIGINAL, revise=revise)
    assert (again.rows_added, again.vintage) == (0, None)
    assert again.message == message.format(v=first.vintage)
    assert writable.value("gdp", "150000", "2023") == 25020.5
