"""DuckDB and PostgreSQL answer every public query of the store with the same rows.

The demo scenario (``data/``) is built once on each backend (fixtures ``demo_db`` and
``pg_demo``); every case below runs the same call on both stores and compares the answers row
for row, value for value (a missing value is missing on both: NULL, NaN and NA compare equal
to each other and to nothing else).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from statlib import registry
from statlib.checks import confront, load_rules
from statlib.config import project_root
from statlib.leaks.confidential import secrets_from_store
from statlib.store import open_store
from statlib.store.store import Store

MISSING = "<missing>"


def _cell(v: Any) -> Any:
    """One value in a form both backends' answers reduce to."""
    if v is None or v is pd.NA or v is pd.NaT:
        return MISSING
    if isinstance(v, float | np.floating):
        return MISSING if math.isnan(v) else float(v)
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, pd.Timestamp | dt.datetime):
        return pd.Timestamp(v).isoformat()
    if isinstance(v, dict):
        return {k: _cell(x) for k, x in sorted(v.items())}
    if isinstance(v, list | tuple):
        return [_cell(x) for x in v]
    return v


def _rows(answer: Any) -> Any:
    """Columns (or index) and rows of a query's answer, in plain Python values."""
    if isinstance(answer, pd.Series):
        answer = answer.to_frame(name=str(answer.name)).reset_index()
    if isinstance(answer, pd.DataFrame):
        frame = answer.reset_index() if not isinstance(answer.index, pd.RangeIndex) else answer
        cols = [str(c) for c in frame.columns]
        return cols, [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    if dataclasses.is_dataclass(answer) and not isinstance(answer, type):
        return _cell(dataclasses.asdict(answer))
    if isinstance(answer, list | tuple):
        return [_rows(a) for a in answer]
    if isinstance(answer, dict):
        return {k: _rows(v) for k, v in sorted(answer.items())}
    return _cell(answer)


def _counties(s: Store) -> list[str]:
    return [r.code for r in s.children("990200")]


def _all_observations(s: Store, vintage: Any = "latest", **kw: Any) -> pd.DataFrame:
    inds = list(s.indicators()["code"])
    regs = list(s.regions()["code"])
    return s.observations(inds, regs, vintage=vintage, **kw)


def _checks(s: Store) -> Any:
    report = confront(s, load_rules(project_root() / "rules"), period="2023-11")
    return report.to_json()


def _mid_vintage(s: Store) -> int:
    return s.latest_vintage() // 2


# (name, edition, query): every public read of the store
CASES: list[tuple[str, str, Callable[[Store], Any]]] = [
    ("indicators", "internal", lambda s: s.indicators()),
    ("regions", "internal", lambda s: s.regions()),
    (
        "peers and children",
        "internal",
        lambda s: [vars(r) for r in [*s.peers("990202"), *s.children("990200")]],
    ),
    ("indicator by name", "internal", lambda s: vars(s.indicator("地区生产总值"))),
    ("observations latest", "internal", _all_observations),
    ("observations first", "internal", lambda s: _all_observations(s, "first")),
    ("observations as of vintage 1", "internal", lambda s: _all_observations(s, 1)),
    (
        "observations as of a middle vintage",
        "internal",
        lambda s: _all_observations(s, _mid_vintage(s)),
    ),
    (
        "observations 2022Q2..2023-03",
        "internal",
        lambda s: _all_observations(s, start="2022Q2", end="2023-03"),
    ),
    ("series by code", "internal", lambda s: s.series("gdp", "990200")),
    (
        "series by name, first vintage",
        "internal",
        lambda s: s.series("地区生产总值", "云川市", start="2022Q1", vintage="first"),
    ),
    (
        "series of a national indicator",
        "internal",
        lambda s: s.series(s.indicators()["code"].iloc[0], "150000"),
    ),
    ("frame", "internal", lambda s: s.frame(["gdp", "gdp_growth"], "云川市")),
    ("frame of counties", "internal", lambda s: s.frame("gdp", _counties(s))),
    ("cross section", "internal", lambda s: s.cross_section("gdp", _counties(s), "2023Q4")),
    ("values", "internal", lambda s: s.values("gdp", _counties(s), "2023Q4")),
    ("vintages (load times aside)", "internal", lambda s: s.vintages().drop(columns=["loaded_at"])),
    (
        "info (backend aside)",
        "internal",
        lambda s: {k: v for k, v in s.info().items() if k not in ("backend", "url")},
    ),
    ("units", "internal", lambda s: s.units(2023)),
    ("unit count", "internal", lambda s: s.unit_count(2023, "990202")),
    ("surveys", "internal", lambda s: s.surveys()),
    ("survey microdata", "internal", lambda s: s.survey()),
    (
        "confidential secrets of the leak scan, 2023-11",
        "internal",
        lambda s: secrets_from_store(s, "2023-11"),
    ),
    (
        "confidential secrets of the leak scan, every period",
        "internal",
        lambda s: secrets_from_store(s),
    ),
    ("validation rules (statlib check)", "internal", _checks),
    ("public layer: observations", "public", _all_observations),
    ("public layer: observations first", "public", lambda s: _all_observations(s, "first")),
    ("public layer: county values", "public", lambda s: s.values("gdp", _counties(s), "2023Q4")),
    ("public layer: county frame", "public", lambda s: s.frame("gdp", _counties(s))),
    ("masked layer: observations", "masked", _all_observations),
]


@pytest.fixture(scope="module")
def stores(demo_db: Path, pg_demo: str) -> Iterator[dict[tuple[str, str], Store]]:
    opened = {}
    for edition in ("internal", "public", "masked"):
        opened["duckdb", edition] = open_store(str(demo_db), edition=edition)
        opened["postgresql", edition] = open_store(pg_demo, edition=edition)
    yield opened
    for store in opened.values():
        store.close()


@pytest.mark.parametrize(("name", "edition", "query"), CASES, ids=[c[0] for c in CASES])
def test_same_rows(
    stores: dict[tuple[str, str], Store], name: str, edition: str, query: Callable[[Store], Any]
) -> None:
    duck = _rows(query(stores["duckdb", edition]))
    pg = _rows(query(stores["postgresql", edition]))
    assert duck, f"{name}: an empty answer compares nothing"
    assert pg == duck


def test_the_scenario_is_not_trivial(stores: dict[tuple[str, str], Store]) -> None:
    """The compared answers hold what they must: many rows, confidential cells hidden in the
    public layer, several vintages, secrets to look for."""
    internal = stores["postgresql", "internal"]
    public = stores["postgresql", "public"]
    assert len(_all_observations(internal)) > 10_000
    assert internal.latest_vintage() >= 3
    pub = _all_observations(public)
    assert pub["flags"].fillna("").str.contains("S").sum() > 10
    assert len(secrets_from_store(internal, "2023-11")) > 50


def test_registry_agrees(writable: Store, pg_writable: Store) -> None:
    """The registry's reads after the same moves: publications, history, calendar, find."""
    answers = []
    for store in (writable, pg_writable):
        a = registry.register(
            store,
            "bulletin",
            "2023-11",
            "public",
            "统计资讯",
            when="2023-12-10T09:00",
            embargo="2023-12-15T09:30",
        )
        registry.register(
            store, "bulletin", "2023-11", "internal", "统计资讯", when="2023-12-10T09:00"
        )
        registry.register(
            store, "bulletin", "2023-12", "public", "统计资讯", when="2024-01-10T09:00"
        )
        registry.register(
            store,
            "bulletin",
            "2023-11",
            "public",
            "统计资讯 增刊",
            supplement=True,
            when="2023-12-11T09:00",
        )
        registry.advance(store, a, "reviewed", "王", when="2023-12-12T10:00")
        registry.advance(store, a, "approved", "李", when="2023-12-13T10:00")
        registry.set_files(
            store,
            a,
            {"a.html": {"sha256": "0" * 64, "bytes": 12}},
            data_vintage=3,
            code_version="abc",
        )
        registry.advance(store, a, "published", "李", when="2023-12-15T10:00")
        answers.append(
            _rows(
                [
                    registry.publications(store),
                    registry.publications(store, year=2023, status="published"),
                    registry.history(store, a),
                    registry.calendar(store, 2023),
                    registry.find(store, "bulletin", "2023-11", "internal"),
                ]
            )
        )
    assert answers[0][1], "nothing published: the comparison would be empty"
    assert answers[1] == answers[0]


# SQL that psycopg would misread: a literal % (LIKE patterns, modulo) and a ? inside quotes
LITERAL_SQL = [
    (
        "LIKE with % and a parameter",
        "SELECT count(*) AS n FROM region WHERE name LIKE '%市' AND level = ?",
        ["city"],
    ),
    ("LIKE with % and no parameter", "SELECT count(*) AS n FROM region WHERE name LIKE '%旗%'", []),
    ("modulo", "SELECT 7 % 3 AS m, ? AS p", [5]),
    ("question mark in a string", "SELECT 'why?' AS q, ? AS p, '100%' AS pct", ["x"]),
]


@pytest.mark.parametrize(("name", "sql", "params"), LITERAL_SQL, ids=[c[0] for c in LITERAL_SQL])
def test_literal_percent_and_question_mark(
    stores: dict[tuple[str, str], Store], name: str, sql: str, params: list[Any]
) -> None:
    duck = _rows(stores["duckdb", "internal"].backend.query(sql, params))
    pg = _rows(stores["postgresql", "internal"].backend.query(sql, params))
    assert pg == duck
    if name == "modulo":
        assert duck == (["m", "p"], [[1, 5]])
    if name == "question mark in a string":
        assert duck == (["q", "p", "pct"], [["why?", "x", "100%"]])
    if name.startswith("LIKE"):
        assert duck[1][0][0] > 0


NAN = float("nan")


@pytest.mark.parametrize("kind", ["arrow", "pandas"])
def test_nan_and_null_stored_alike(any_writable: Store, kind: str) -> None:
    """copy_in on each backend: an Arrow table keeps NaN apart from NULL (NaN stays NaN),
    a pandas frame's missing values are NULL (DuckDB's reading of pandas) — on both."""
    b = any_writable.backend
    values = [1.5, NAN, None, -0.0]
    b.execute("CREATE TEMP TABLE nan_probe (k INTEGER, v FLOAT8)")
    rows: Any = pa.table(
        {"k": pa.array([1, 2, 3, 4], pa.int32()), "v": pa.array(values, pa.float64())}
    )
    if kind == "pandas":
        rows = rows.to_pandas()
    with b.transaction():
        b.copy_in("nan_probe", rows)
    got = b.query(
        "SELECT k, v IS NULL AS is_null, CAST(v AS VARCHAR) AS text FROM nan_probe ORDER BY k"
    )
    nulls = [bool(x) for x in got["is_null"]]
    texts = [str(t).lower() if t is not None and t == t else None for t in got["text"]]
    if kind == "arrow":
        assert nulls == [False, False, True, False]
        assert texts[:3] == ["1.5", "nan", None]
    else:
        assert nulls == [False, True, True, False]
        assert texts[:3] == ["1.5", None, None]
