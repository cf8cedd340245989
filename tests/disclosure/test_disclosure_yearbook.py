"""Figure S2: the LP audit of every public table of the yearbook's enterprise chapter.

Chapter 4 prints, from the above-scale industrial enterprises of 2023, 表4-2 (by industry:
units, revenue, value added, employees, with the total), 表4-3 (by county, with the total)
and 表4-4 (revenue by industry × county). Per magnitude they are the margins and the inner
cells of one industry × county table, so they are linked and audited together. The masks of
what is printed are read back from the executed notebook's tables, so the oracle checks what
a reader sees, independently of the suppressor.
"""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import nbformat
import numpy as np
import pytest

from statlib import measures, yearbook
from statlib.disclosure import MagnitudeTable, audit, configured_rules, tabulate
from statlib.store import open_store
from statlib.tables import SUPPRESSED, Table
from statlib.yearbook.assembly import BookResult

FOLDER = Path(__file__).resolve().parents[2] / "notebooks" / "yearbook"
CHAPTER = next(c for c in yearbook.book() if c.number == 4)
VALUES = {"revenue": (1, 10000, 2), "value_added": (2, 10000, 2), "employees": (3, 1, 0)}


@pytest.fixture(scope="module")
def chapter(yearbook_book: BookResult) -> list[Table]:
    """The tables of chapter 4 as the session's book executed it (tests/conftest.py)."""
    return yearbook.chapter_tables(
        nbformat.read(yearbook_book.executed[CHAPTER.file], as_version=4)
    )


@pytest.fixture(scope="module")
def magnitudes(demo_db: Path) -> list[MagnitudeTable]:
    with open_store(str(demo_db)) as store:
        units = store.units(2023)
        counties = [c.code for c in store.children("云川市")]
    units = units[(units["category"] == "industry") & units["above_scale"]]
    keys = ["industry_code", "industry_name"]
    return [
        tabulate(units, keys, "region", v, "all" if v == "revenue" else "margins",
                 col_order=counties)
        for v in VALUES
    ]  # fmt: skip


def _printed(tables: list[Table], table: MagnitudeTable) -> tuple[np.ndarray, np.ndarray]:
    """(printed, suppressed) masks of ``table`` as the chapter's tables show its cells; each
    printed figure is checked against the true value, rounded as published."""
    by_industry, by_county, cross = tables[1], tables[2], tables[3]
    column, divisor, decimals = VALUES[table.variable]
    nr, nc = len(table.rows), len(table.cols)
    counties = [c.name for c in cross.leaf_columns]
    places: dict[tuple[int, int], list[object]] = {}
    for i, row in enumerate(by_industry.body):
        r = nr if i == 0 else [f"{a} {b}" for a, b in table.rows].index(row.label)
        places.setdefault((r, nc), []).append(row.values[column])
    for i, row in enumerate(by_county.body):
        places.setdefault((nr, nc if i == 0 else counties.index(row.label)), []).append(
            row.values[column]
        )
    if table.variable == "revenue":
        for r, row in enumerate(cross.body):
            for c, value in enumerate(row.values):
                places.setdefault((r, c), []).append(value)
    printed = np.zeros(table.shape, dtype=bool)
    suppressed = np.zeros(table.shape, dtype=bool)
    for (r, c), shown in places.items():
        for value in shown:
            if value is SUPPRESSED:
                suppressed[r, c] = True
            elif value is not None:
                printed[r, c] = True
                exact = measures.round_half_up(table.values[r, c] / divisor, decimals)
                assert Decimal(value) == exact, (table.label(r, c), value, exact)
    assert not (printed & suppressed).any(), "suppressed in one table, printed in another"
    return printed, suppressed


def test_s2_every_public_table_passes_the_audit(
    chapter: list[Table], magnitudes: list[MagnitudeTable], capsys: pytest.CaptureFixture[str]
) -> None:
    masks = [_printed(chapter, t) for t in magnitudes]
    result = audit(magnitudes, [printed for printed, _ in masks])
    rules = configured_rules()
    suppressed = [
        (t, r, c) for t, (_, s) in zip(magnitudes, masks, strict=True) for r, c in np.argwhere(s)
    ]
    primary = sum(bool(rules.reasons(t.contributions[r][c])) for t, r, c in suppressed)
    failures = [(c.label, c.interval, c.required) for c in result.failures]
    with capsys.disabled():
        print(
            f"\nS2: 3 tables (表4-2, 表4-3, 表4-4), {len(suppressed)} suppressed cells "
            f"({primary} primary, {len(suppressed) - primary} secondary), "
            f"{len(failures)} recoverable; {result.summary()}"
        )
    assert failures == []
    assert primary > 0 and len(suppressed) > primary  # the demo data needs both kinds
    audited_primary = [c for c in result.cells if c.primary]
    assert len(audited_primary) >= primary  # unprinted unsafe inner cells are audited too


def test_primary_only_would_have_leaked(magnitudes: list[MagnitudeTable]) -> None:
    """The same tables with primary suppression alone (the chapter before): cells leak."""
    rules = configured_rules()
    masks = []
    for t in magnitudes:
        unsafe = np.array([[bool(rules.reasons(t.contributions[r][c])) for c in range(t.shape[1])]
                           for r in range(t.shape[0])])  # fmt: skip
        masks.append(t.shown & ~unsafe)
    assert audit(magnitudes, masks).failures


def _bytes(table: Table) -> dict[str, str]:
    buffer = io.BytesIO()
    table.to_xlsx(buffer, sheet="t")
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as z:
        xlsx = "".join(z.read(n).decode("utf-8", "replace") for n in sorted(z.namelist()))
    return {"html": table.to_html(), "csv": table.to_csv(), "xlsx": xlsx}


def test_no_suppressed_value_in_any_rendering(
    chapter: list[Table], magnitudes: list[MagnitudeTable]
) -> None:
    """HTML, CSV and every part of the XLSX of 表4-2…4-4 hold no suppressed figure as it would
    print (rounded as published), while the printed figures are found (the search works)."""
    renderings = {t.number: _bytes(t) for t in chapter[1:]}
    secrets, shown = set(), set()
    for t in magnitudes:
        printed, suppressed = _printed(chapter, t)
        _, divisor, decimals = VALUES[t.variable]
        for mask, into in ((suppressed, secrets), (printed, shown)):
            for r, c in np.argwhere(mask):
                into.add(format(measures.round_half_up(t.values[r, c] / divisor, decimals), "f"))
    secrets -= shown  # a coincidence with a printed figure is not a leak
    assert len(secrets) > 10
    for number, parts in renderings.items():
        for kind, text in parts.items():
            assert not [s for s in secrets if _number(s).search(text)], (number, kind)
    found = {s for parts in renderings.values() for s in shown if _number(s).search(parts["csv"])}
    assert len(found) > 0.9 * len(shown)


def _number(text: str) -> re.Pattern[str]:
    """``text`` as a whole number: 4.63 matches in "4.63" but not in "14.63" or "4.631"."""
    return re.compile(rf"(?<![\d.]){re.escape(text)}(?![\d])")
