"""Shared fixtures: a demo database built once per session, writable copies, PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from statlib import registry
from statlib.batch.publish import publish_release
from statlib.ingest.bundle import build
from statlib.store import open_store
from statlib.store.store import Store
from statlib.yearbook.assembly import BookResult, build_book

PG_ENV = "STATLIB_TEST_PG_URL"


@pytest.fixture(scope="session", autouse=True)
def _isolated_db(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[None]:
    """Keep tests away from the user's data/statlib.duckdb: the default store is a session copy
    of the demo database (opening a store never builds one)."""
    old = os.environ.get("STATLIB_DB")
    default = tmp_path_factory.mktemp("default") / "statlib.duckdb"
    shutil.copy(demo_db, default)
    os.environ["STATLIB_DB"] = str(default)
    yield
    if old is None:
        os.environ.pop("STATLIB_DB", None)
    else:
        os.environ["STATLIB_DB"] = old


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB database built from data/ (catalogues, demo city, real NBS files)."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build(str(path))
    return path


@pytest.fixture(scope="session")
def yearbook_book(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> BookResult:
    """《云川统计年鉴2024》 (data of 2023, public) built once per test run: every chapter executed
    once in one warm kernel (``build_book``), its pages, PDF, XLSX and archive. The chapter tests,
    the book tests and the disclosure audit read ``.executed`` instead of executing again."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STATLIB_DB", str(demo_db))
        return build_book(2023, out=tmp_path_factory.mktemp("book") / "2024")


@pytest.fixture()
def db_copy(demo_db: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database that a test may change."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, path)
    return path


@pytest.fixture()
def env(db_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A build's settings in ``tmp_path``: the store a copy of the demo database, ``outputs/``
    and the work folder below ``tmp_path`` (which is returned)."""
    monkeypatch.setenv("STATLIB_DB", str(db_copy))
    monkeypatch.setenv("STATLIB_OUTPUTS", str(tmp_path / "outputs"))
    monkeypatch.setenv("STATLIB_WORK", str(tmp_path / "work"))
    return tmp_path


@pytest.fixture()
def approved_bulletin() -> Callable[[Path, Path, Path], None]:
    """``make(outputs, db, src)``: a built release 2023-11 in ``outputs`` holding a public
    bulletin (HTML and PDF written in ``src``), registered in ``db`` and approved, embargo
    2023-12-15T09:30."""

    def make(outputs: Path, db: Path, src: Path) -> None:
        src.mkdir(exist_ok=True)
        files = {}
        for ext in ("html", "pdf"):
            (src / f"b.{ext}").write_text(f"<p>公开版 {ext}</p>", encoding="utf-8")
            files[f"public/bulletin/990200/bulletin.{ext}"] = src / f"b.{ext}"
        jobs = {
            "bulletin-990200-public": {
                "series": "bulletin",
                "region": "990200",
                "edition": "public",
                "parameters": {"period": "2023-11"},
                "files": sorted(files),
                "status": "built",
            }
        }
        publish_release(
            outputs,
            "2023-11",
            files,
            {"period": "2023-11", "jobs": jobs, "data_vintage": 1, "code_version": "t"},
        )
        with open_store(str(db), read_only=False) as s:
            # a build registers its issues (第X期): take that one, else register it
            pub = registry.ensure(s, "bulletin", "2023-11", "public", "十一月")
            pub = registry.set_embargo(s, pub.key, "2023-12-15T09:30")
            for status, who in (("reviewed", "张审"), ("approved", "李签")):
                registry.advance(s, pub.key, status, who)

    return make


@pytest.fixture()
def writable(db_copy: Path) -> Iterator[Store]:
    with open_store(str(db_copy), read_only=False) as store:
        yield store


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The URL of a PostgreSQL server (``STATLIB_TEST_PG_URL``); .ci/run starts one."""
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set: .ci/run must start PostgreSQL")
        pytest.skip(f"no PostgreSQL server: set {PG_ENV} (see .ci/run)")
    return url


def _new_database(server: str) -> str:
    import psycopg

    name = f"statlib_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    base, _, _ = server.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture()
def pg_empty(pg_server: str) -> str:
    """The URL of a fresh, empty PostgreSQL database (no schema, no data)."""
    return _new_database(pg_server)


@pytest.fixture(scope="session")
def pg_demo(pg_server: str) -> str:
    """A PostgreSQL database built from data/ once per session."""
    url = _new_database(pg_server)
    build(url)
    return url


@pytest.fixture()
def pg_writable(pg_server: str) -> Iterator[Store]:
    """A fresh PostgreSQL database with the demo data, for tests that change it."""
    url = _new_database(pg_server)
    build(url)
    with open_store(url, read_only=False) as store:
        yield store


@pytest.fixture(params=["duckdb", "postgresql"])
def any_store(request: pytest.FixtureRequest, demo_db: Path) -> Iterator[Store]:
    """The demo database read-only on each backend: the same API must give the same answers."""
    url = str(demo_db) if request.param == "duckdb" else request.getfixturevalue("pg_demo")
    with open_store(url) as store:
        yield store


@pytest.fixture(params=["duckdb", "postgresql"])
def any_writable(request: pytest.FixtureRequest) -> Store:
    name = "writable" if request.param == "duckdb" else "pg_writable"
    return request.getfixturevalue(name)
