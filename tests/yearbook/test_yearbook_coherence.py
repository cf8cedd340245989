"""One figure per region and year across the yearbook's chapters (表间一致): 规模以上工业增加值 in
表4-1 and 7-2 (from the aggregate) and 表4-2 and 4-3 (summed from the enterprise records), and
parts below wholes against 表7-1. Before the demo data were made coherent the book printed 704.46
亿元 in 表4-1/7-2 and 1241.47 in 表4-2/4-3, above 第二产业 (1128.87)."""

from __future__ import annotations

from decimal import Decimal

import nbformat
import pytest

from statlib import yearbook
from statlib.yearbook.assembly import BookResult

CHAPTERS = {c.number: c for c in yearbook.book()}
# (chapter, table number) -> (row label of the city's 2023 figure, column of 规模以上工业增加值)
CITY_FIGURE = {
    (4, "4-1"): ("2023", 0),
    (4, "4-2"): ("总计", 2),
    (4, "4-3"): ("全市", 2),
    (7, "7-2"): ("全市", 0),
}


@pytest.fixture(scope="module")
def tables(yearbook_book: BookResult) -> dict[str, object]:
    out = {}
    for number in (4, 7):
        nb = nbformat.read(yearbook_book.executed[CHAPTERS[number].file], as_version=4)
        out.update({t.number: t for t in yearbook.chapter_tables(nb)})
    return out


def _cell(table: object, label: str, column: int) -> object:
    row = next(r for r in table.body if r.label.strip("　 ").split("①")[0] == label)
    return row.values[column]


def _counties(table: object, column: int) -> dict[str, object]:
    return {r.label.strip("　 "): r.values[column] for r in table.body if r.level == 1}


@pytest.mark.parametrize(("key", "place"), list(CITY_FIGURE.items()), ids=lambda v: str(v))
def test_city_industry_value_added_is_one_figure(
    tables: dict[str, object], key: tuple[int, str], place: tuple[str, int]
) -> None:
    figure = _cell(tables[key[1]], *place)
    assert figure == Decimal("704.46"), key


def test_county_figures_agree_between_4_3_and_7_2(tables: dict[str, object]) -> None:
    by_units, by_aggregate = _counties(tables["4-3"], 2), _counties(tables["7-2"], 0)
    assert list(by_units) == list(by_aggregate) and len(by_units) == 9
    shown = [c for c in by_units if isinstance(by_units[c], Decimal)]
    # the public edition hides the same counties in both (黑河旗, dominated, and 草甸旗 with it)
    assert shown == [c for c in by_aggregate if isinstance(by_aggregate[c], Decimal)]
    assert len(shown) == 7
    assert {c: by_units[c] for c in shown} == {c: by_aggregate[c] for c in shown}


def test_parts_below_wholes_in_7_1(tables: dict[str, object]) -> None:
    """规模以上工业增加值 (表7-2 and 表4-3) < 第二产业 (表7-1) < 地区生产总值, city and each
    county shown (before: 4-3's 全市 1241.47 above 第二产业 1128.87)."""
    secondary = {"全市": _cell(tables["7-1"], "全市", 3), **_counties(tables["7-1"], 3)}
    gdp = {"全市": _cell(tables["7-1"], "全市", 1), **_counties(tables["7-1"], 1)}
    checked = 0
    for number, column in (("7-2", 0), ("4-3", 2)):
        industry = {
            "全市": _cell(tables[number], "全市", column),
            **_counties(tables[number], column),
        }
        for region, value in industry.items():
            if isinstance(value, Decimal):
                checked += 1
                assert value < secondary[region] < gdp[region], (number, region)
    assert checked >= 16
    assert secondary["全市"] == Decimal("1128.87")
