"""The publication registry on both backends: numbering, moves, refusals, embargo, history."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime

import pytest

from statlib import open_store, registry
from statlib.errors import EmbargoError, RegistryError
from statlib.store import registry_tables as tables
from statlib.store.backends import Backend
from statlib.store.store import Store


def _approved(store: Store, period: str = "2023-11", **kw: object) -> registry.Publication:
    pub = registry.register(store, "bulletin", period, "public", f"{period} 统计资讯", **kw)
    registry.advance(store, pub.key, "reviewed", "张审", when="2023-12-10T10:00")
    return registry.advance(store, pub.key, "approved", "李签", when="2023-12-11T10:00")


def test_issue_numbers_per_series_per_year(any_writable: Store) -> None:
    s = any_writable
    keys = [
        registry.register(s, "bulletin", p, "public", p).key
        for p in ("2023-02", "2023-03", "2023-04")
    ]
    assert [k.issue for k in keys] == [1, 2, 3]
    # Another edition of the same issue shares its number.
    assert registry.register(s, "bulletin", "2023-03", "internal", "内部").issue == 2
    # Another series, another year: numbered from 1 again.
    assert registry.register(s, "decision_reference", "2023-03", "internal", "x").issue == 1
    assert registry.register(s, "bulletin", "2024-02", "public", "x").issue == 1
    # 增刊 are numbered apart.
    sup = registry.register(s, "bulletin", "2023-04", "public", "增刊", supplement=True)
    assert (sup.issue, sup.supplement, sup.number) == (1, True, "增刊第1期")
    assert registry.register(s, "bulletin", "2023-05", "public", "x").issue == 4
    with pytest.raises(RegistryError, match="already registered"):
        registry.register(s, "bulletin", "2023-03", "public", "again")


def test_moves_with_who_and_when(any_writable: Store) -> None:
    s = any_writable
    pub = _approved(s)
    assert pub.status == "approved"
    pub = registry.advance(s, pub.key, "published", "王发", when="2023-12-15T09:30")
    assert (pub.status, pub.updated_by) == ("published", "王发")
    hist = registry.history(s, pub.key)
    assert list(hist["to_status"]) == ["draft", "reviewed", "approved", "published"]
    assert list(hist["who"])[1:] == ["张审", "李签", "王发"]
    assert str(hist["happened_at"].iloc[3])[:16] == "2023-12-15 09:30"


@pytest.mark.parametrize(
    ("moves", "bad", "match"),
    [
        ([], "approved", "cannot go from draft to approved"),
        ([], "published", "cannot go from draft to published"),
        (["reviewed"], "published", "cannot go from reviewed to published"),
        (["reviewed", "approved"], "reviewed", "cannot go from approved to reviewed"),
        (["reviewed"], "draft", "needs a reason"),
        ([], "archived", "unknown state"),
    ],
)
def test_refused_moves(any_writable: Store, moves: list[str], bad: str, match: str) -> None:
    s = any_writable
    pub = registry.register(s, "bulletin", "2023-11", "public", "x")
    for m in moves:
        registry.advance(s, pub.key, m, "某人")
    with pytest.raises(RegistryError, match=match):
        registry.advance(s, pub.key, bad, "某人")
    assert registry.get(s, pub.key).status == (moves[-1] if moves else "draft")


def test_back_to_draft_and_published_is_final(any_writable: Store) -> None:
    s = any_writable
    pub = _approved(s)
    pub = registry.advance(s, pub.key, "draft", "李签", reason="数据修订")
    assert registry.history(s, pub.key)["reason"].iloc[-1] == "数据修订"
    pub = _approved_again(s, pub)
    pub = registry.advance(s, pub.key, "published", "王发")
    with pytest.raises(RegistryError, match="published is final"):
        registry.advance(s, pub.key, "draft", "王发", reason="x")
    with pytest.raises(RegistryError, match="who"):
        registry.advance(s, pub.key, "draft", " ", reason="x")


def _approved_again(s: Store, pub: registry.Publication) -> registry.Publication:
    registry.advance(s, pub.key, "reviewed", "张审")
    return registry.advance(s, pub.key, "approved", "李签")


def test_embargo(any_writable: Store) -> None:
    s = any_writable
    pub = _approved(s, embargo="2023-12-15T09:30")
    with pytest.raises(EmbargoError, match="embargo until 2023-12-15 09:30"):
        registry.advance(s, pub.key, "published", "王发", when="2023-12-15T09:29:59")
    assert registry.get(s, pub.key).status == "approved"
    # An aware time is converted to Beijing time: 01:30 UTC is 09:30 in Beijing.
    pub = registry.advance(s, pub.key, "published", "王发", when="2023-12-15T01:30:00+00:00")
    assert pub.status == "published"
    with pytest.raises(RegistryError, match="already published"):
        registry.set_embargo(s, pub.key, "2024-01-01T00:00")


def test_calendar(any_writable: Store) -> None:
    s = any_writable
    registry.register(s, "bulletin", "2023-12", "public", "十二月", embargo="2024-01-16T10:00")
    registry.register(s, "bulletin", "2023-11", "public", "十一月", embargo="2023-12-15T10:00")
    registry.register(s, "bulletin", "2023-11", "internal", "十一月")
    registry.register(
        s, "quarterly_release", "2023Q4", "public", "全年", embargo=datetime(2024, 1, 20, 10, 0)
    )
    cal = registry.calendar(s, 2023)
    assert list(cal["period"]) == ["2023-11", "2023-12", "2023Q4"]
    assert list(cal["editions"]) == ["internal,public", "public", "public"]
    assert cal["period_label"].iloc[0] == "2023年1—11月"
    assert registry.calendar(s, 2030).empty


# What a build registers (``ensure``): (series, period, edition, supplement) in build order,
# and the number (期号) each must get.
BUILDS = [
    ("bulletin", "2023-10", "internal", False, 1),
    ("bulletin", "2023-10", "public", False, 1),  # editions of one issue share its number
    ("bulletin", "2023-11", "public", False, 2),
    ("bulletin", "2023-11", "internal", False, 2),
    ("bulletin", "2023-10", "public", False, 1),  # a rebuild keeps its number
    ("decision_reference", "2023-11", "internal", False, 1),  # each series its own numbers
    ("bulletin", "2023-11", "public", True, 1),  # 增刊 numbered apart
    ("bulletin", "2023-11", "internal", True, 1),  # … its editions share its number
    ("bulletin", "2023-11", "public", True, 1),  # … and a rebuild keeps it
    ("bulletin", "2023-12", "public", False, 3),  # the 增刊 took no regular number
    ("bulletin", "2024-01", "public", False, 1),  # a new year restarts at 第1期
    ("bulletin", "2024-01", "internal", False, 1),
    ("bulletin", "2023-12", "internal", False, 3),  # an old issue rebuilt later keeps its year
]


def test_ensure_numbers_as_a_build_does(any_writable: Store) -> None:
    s = any_writable
    got = []
    for series, period, edition, supplement, _ in BUILDS:
        before = registry.expected(s, series, period, edition, supplement=supplement)
        pub = registry.ensure(s, series, period, edition, "标题", supplement=supplement)
        assert before[0] == pub.issue  # a preview says the number the build gives
        got.append(pub.issue)
    assert got == [b[-1] for b in BUILDS]
    assert registry.expected(s, "bulletin", "2023-10", "public") == (1, True)
    numbers = [
        registry.find(s, "bulletin", "2023-11", "public", supplement=sup).number  # type: ignore[union-attr]
        for sup in (False, True)
    ]
    assert numbers == ["第2期", "增刊第1期"]
    assert len(registry.publications(s, year=2023)) == 9  # rebuilds registered nothing


def test_issue_date_from_the_calendar_else_first_registration(any_writable: Store) -> None:
    s = any_writable
    internal = registry.ensure(s, "bulletin", "2023-11", "internal", "x", when="2023-12-01T08:00")
    assert registry.issue_date(s, internal) == date(2023, 12, 1)
    public = registry.ensure(s, "bulletin", "2023-11", "public", "x", when="2023-12-03T08:00")
    assert registry.issue_date(s, public) == date(2023, 12, 1)  # the issue's, both editions
    registry.set_embargo(s, public.key, "2023-12-15T09:30")  # the planned release
    assert registry.issue_date(s, internal) == date(2023, 12, 15)
    assert registry.issue_date(s, registry.get(s, public.key)) == date(2023, 12, 15)


def _register_many(
    url: str,
    n: int,
    results: list[int],
    errors: list[BaseException],
    barrier: threading.Barrier,
    share: Store | None,
) -> None:
    try:
        store = share or open_store(url, read_only=False)
        barrier.wait()
        for i in range(n):
            results.append(
                registry.register(
                    store, "bulletin", "2023", "public", f"增刊{i}", supplement=True
                ).issue
            )
        if share is None:
            store.close()
    except BaseException as exc:  # reported by the test
        errors.append(exc)


def test_concurrent_numbering_never_repeats(any_writable: Store) -> None:
    """Four writers at once (own connections on PostgreSQL, one shared on DuckDB)."""
    s = any_writable
    registry.publications(s)  # tables ready before the race
    shared = s if s.backend.name == "duckdb" else None
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)
    threads = [
        threading.Thread(target=_register_many, args=(s.url, 10, results, errors, barrier, shared))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == list(range(1, 41))


def test_registry_tables_hold_the_sql(any_writable: Store) -> None:
    """The registry's rows through the store's registry tables: filters, updates, events."""
    b = any_writable.backend
    pub = registry.register(any_writable, "bulletin", "2023-11", "public", "十一月")
    key = tuple(pub.key)
    assert tables.exists(b, key) and not tables.exists(b, ("bulletin", 2023, 9, "public", False))
    assert tables.issue_of_period(b, "bulletin", 2023, "2023-11") == pub.issue
    assert tables.issue_of_period(b, "bulletin", 2023, "2023-10") is None
    assert tables.last_issue(b, "bulletin", 2023, False) == pub.issue
    assert tables.last_issue(b, "bulletin", 2023, True) == 0
    rows = tables.select(b, series="bulletin", status="draft", year=None)
    assert [(r["period"], r["title"], r["status"]) for r in rows] == [
        ("2023-11", "十一月", "draft")
    ]
    assert tables.select(b, status="published") == []
    tables.update(b, key, updated_by="王五")
    assert registry.get(any_writable, pub.key).updated_by == "王五"
    assert list(tables.events(b, key)["to_status"]) == ["draft"]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda b: tables.select(b, colour="red"), "no registry filter 'colour'"),
        (lambda b: tables.update(b, ("s", 2023, 1, "public", False), title="x"), "cannot update"),
        (lambda b: tables.update(b, ("s", 2023, 1, "public", False)), "cannot update nothing"),
    ],
)
def test_registry_tables_refuse_unknown_columns(
    any_writable: Store, call: Callable[[Backend], object], match: str
) -> None:
    with pytest.raises(RegistryError, match=match):
        call(any_writable.backend)


# (locks tables to number, lends the loader its own DuckDB connection) per backend
CAPABILITIES = {"duckdb": (False, True), "postgresql": (True, False)}


def test_backends_say_what_they_can(any_writable: Store) -> None:
    """Capabilities, not classes: a PostgreSQL writer locks the registry to number; a DuckDB
    file lends the loader its own connection."""
    b = any_writable.backend
    assert (b.locks_tables, b.duckdb is not None) == CAPABILITIES[b.name]
