"""Typesetting measured in the PDF, not eyeballed: glyph positions and rules read with pdfplumber
from a real bulletin (附表 主要经济指标) and the yearbook (表7-3 among its tables).

For every ruled table found on every page: no character comes nearer than 1 pt to a vertical
rule crossing its line (no figure runs into a cell rule); a header cell wraps only between its
words (never 绝对/量, 位/次); no cell and no prose line splits a period label (1—10月, 2023年) or
a number from its unit (8.6%, 77.50亿元) over two lines; no page but the last ends with a
heading or a bold lead (附注), and no table leaves a single body row at a page foot or head.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from statlib.authoring import preview
from statlib.render import _typeset
from statlib.tables import Table, col
from statlib.yearbook.assembly import BookResult

ROOT = Path(__file__).resolve().parents[2]

# The test's own patterns (not statlib's): a period label, a number with its unit.
MONTHS = r"\d{1,2}(?:—\d{1,2})?月(?:份|末)?"
KEEP = re.compile(
    rf"\d{{4}}年(?:{MONTHS})?|{MONTHS}|-?\d+(?:\.\d+)?(?:%|个百分点|亿元|万元|元|万人)"
)
GAP = 1.0  # pt between a glyph and a vertical rule
FOOTER = re.compile(r"^—\s*\S+\s*—$")


@dataclass(frozen=True)
class Doc:
    name: str
    pdf: Path
    top: float  # the running header ends above this (pt from the top)
    tables: int  # at least this many ruled tables are found


@pytest.fixture(scope="module")
def bulletin_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("geometry")
    made = preview(
        ROOT / "notebooks" / "bulletin.ipynb",
        parameters={"region": "990200", "period": "2023-10"},
        to=("pdf",),
        out=out,
    )
    return made["pdf"]


@pytest.fixture(params=["bulletin", "yearbook"])
def doc(request: pytest.FixtureRequest) -> Doc:
    if request.param == "bulletin":
        return Doc("bulletin", request.getfixturevalue("bulletin_pdf"), 37 * 72 / 25.4 - 4, 1)
    book: BookResult = request.getfixturevalue("yearbook_book")
    return Doc("yearbook", book.pdf, 26 * 72 / 25.4 - 4, 20)


# ---- reading the PDF ---------------------------------------------------------------------------


@dataclass
class Cell:
    key: tuple[float, float, float, float]
    chars: list[dict[str, Any]]

    @property
    def lines(self) -> list[str]:
        rows: list[list[dict[str, Any]]] = []
        for ch in sorted(self.chars, key=lambda c: (c["top"], c["x0"])):
            if rows and abs(rows[-1][0]["top"] - ch["top"]) < 2:
                rows[-1].append(ch)
            else:
                rows.append([ch])
        return ["".join(c["text"] for c in sorted(r, key=lambda c: c["x0"])) for r in rows]

    @property
    def header(self) -> bool:
        return all("Sans" in c["fontname"] and "Bold" in c["fontname"] for c in self.chars)


@dataclass
class Found:
    page: int
    bbox: tuple[float, float, float, float]
    cells: list[Cell]
    vertical: list[dict[str, Any]]
    crossings: list[str]


def _tables(page: Any) -> Iterator[Found]:
    lines = [e for e in page.lines if e["x0"] == e["x1"] or e["top"] == e["bottom"]]
    for table in page.find_tables():
        x0, top, x1, bottom = table.bbox
        inside = [
            c
            for c in page.chars
            if c["text"].strip()
            and x0 <= c["x0"]
            and c["x1"] <= x1 + 2
            and top <= c["top"]
            and c["bottom"] <= bottom + 1
        ]
        if len(inside) < 10 or not any("Sans" in c["fontname"] for c in inside):
            continue  # a chart's grid, not a table
        near = [e for e in lines if x0 - 1 <= e["x0"] <= x1 + 1 and top - 1 <= e["top"] <= bottom]
        vertical = [e for e in near if e["x0"] == e["x1"]]
        horizontal = [e for e in near if e["top"] == e["bottom"]]
        cells: dict[tuple[float, float, float, float], Cell] = {}
        crossings = []
        for ch in inside:
            mid_y = (ch["top"] + ch["bottom"]) / 2
            mid_x = (ch["x0"] + ch["x1"]) / 2
            across = [v for v in vertical if v["top"] <= mid_y <= v["bottom"]]
            for v in across:
                if ch["x0"] - GAP < v["x0"] < ch["x1"] + GAP:
                    crossings.append(
                        f"p{page.page_number} {ch['text']!r} at x {ch['x0']:.1f}–{ch['x1']:.1f}"
                        f" touches the rule at x {v['x0']:.1f}"
                    )
            left = max((v["x0"] for v in across if v["x0"] <= mid_x), default=x0)
            right = min((v["x0"] for v in across if v["x0"] > mid_x), default=x1)
            over = [h for h in horizontal if h["x0"] <= mid_x <= h["x1"]]
            upper = max((h["top"] for h in over if h["top"] <= mid_y), default=top)
            lower = min((h["top"] for h in over if h["top"] > mid_y), default=bottom)
            key = (round(left, 1), round(upper, 1), round(right, 1), round(lower, 1))
            cells.setdefault(key, Cell(key, [])).chars.append(ch)
        yield Found(page.page_number, table.bbox, list(cells.values()), vertical, crossings)


@dataclass
class Reading:
    tables: list[Found]
    pages: list[list[tuple[str, bool, float, float]]]  # body lines: text, all bold, top, bottom


@pytest.fixture()
def reading(doc: Doc) -> Reading:
    return _read(doc)


_CACHE: dict[Path, Reading] = {}


def _read(doc: Doc) -> Reading:
    if doc.pdf in _CACHE:
        return _CACHE[doc.pdf]
    tables: list[Found] = []
    pages = []
    with pdfplumber.open(doc.pdf) as pdf:
        for page in pdf.pages:
            tables.extend(_tables(page))
            body = []
            for line in page.extract_text_lines(strip=True):
                text = line["text"].replace(" ", "")
                if line["top"] < doc.top or FOOTER.match(text) or not text:
                    continue
                bold = all("Bold" in c["fontname"] for c in line["chars"] if c["text"].strip())
                body.append((text, bold, line["top"], line["bottom"]))
            pages.append(body)
    _CACHE[doc.pdf] = Reading(tables, pages)
    return _CACHE[doc.pdf]


def _splits(lines: list[str]) -> list[str]:
    """The period labels and numbers with units that ``lines`` (one after another) break."""
    found = []
    for a, b in itertools.pairwise(lines):
        joined = a + b
        cut = len(a)
        for m in KEEP.finditer(joined):
            if m.start() < cut < m.end():
                found.append(f"{joined[m.start() : cut]} / {joined[cut : m.end()]}")
    return found


def _header_break_ok(before: str, after: str) -> bool:
    """A header may wrap before a bracket or at a space only."""
    return after[:1] in ("(", "（") or before.endswith(" ") or after.startswith(" ")


# ---- the checks ----------------------------------------------------------------------------------


def test_tables_are_found(doc: Doc, reading: Reading) -> None:
    assert len(reading.tables) >= doc.tables, [t.page for t in reading.tables]
    assert all(t.vertical for t in reading.tables), "every table is ruled"


def test_no_figure_touches_a_cell_rule(doc: Doc, reading: Reading) -> None:
    crossings = [c for t in reading.tables for c in t.crossings]
    assert crossings == [], f"{doc.name}: {len(crossings)} glyphs on a rule: {crossings[:8]}"


def test_headers_wrap_between_words_only(doc: Doc, reading: Reading) -> None:
    bad = []
    for t in reading.tables:
        for cell in t.cells:
            lines = cell.lines
            if not cell.header or len(lines) < 2:
                continue
            for a, b in itertools.pairwise(lines):
                if not _header_break_ok(a, b):
                    bad.append(f"p{t.page} {a}/{b}")
    assert bad == [], f"{doc.name}: header words split: {bad}"


def test_no_period_label_or_number_split_in_cells(doc: Doc, reading: Reading) -> None:
    bad = [
        f"p{t.page} {s}" for t in reading.tables for cell in t.cells for s in _splits(cell.lines)
    ]
    assert bad == [], f"{doc.name}: {bad}"


def test_no_period_label_or_number_split_in_prose(doc: Doc, reading: Reading) -> None:
    boxes = reading.tables
    bad = []
    for number, body in enumerate(reading.pages, start=1):
        prose = [
            text
            for text, _bold, top, _bottom in body
            if not any(t.page == number and t.bbox[1] - 1 <= top <= t.bbox[3] for t in boxes)
        ]
        bad += [f"p{number} {s}" for s in _splits(prose)]
    assert bad == [], f"{doc.name}: {bad}"


def test_no_heading_alone_at_a_page_foot(doc: Doc, reading: Reading) -> None:
    bad = []
    for number, body in enumerate(reading.pages[:-1], start=1):
        last = body[-1][0] if body else ""
        # a figure's caption under its figure (图2 …) ends a page rightly; a heading does not
        if body and body[-1][1] and len(last) <= 30 and not re.match(r"图\d", last):
            bad.append(f"p{number} ends with {body[-1][0]!r}")
    assert bad == [], f"{doc.name}: {bad}"


def test_no_single_table_row_at_a_page_foot_or_head(doc: Doc, reading: Reading) -> None:
    bad = []
    for t in reading.tables:
        body_rows = {c.key[1] for c in t.cells if not c.header}
        page = reading.pages[t.page - 1]
        last = page[-1][2] if page else 0.0
        first = page[0][2] if page else 0.0
        at_foot = t.bbox[1] - 1 <= last <= t.bbox[3]
        at_head = t.bbox[1] - 1 <= first <= t.bbox[3] + 1
        if len(body_rows) < 2 and (at_foot or at_head):
            bad.append(f"p{t.page}: a table with {len(body_rows)} body row(s) at the page edge")
    assert bad == [], f"{doc.name}: {bad}"


def test_yearbook_7_3_region_names_on_one_line(yearbook_book: BookResult) -> None:
    doc = Doc("yearbook", yearbook_book.pdf, 26 * 72 / 25.4 - 4, 20)
    reading = _read(doc)
    captions = [
        (number, bottom)
        for number, body in enumerate(reading.pages, start=1)
        for text, _bold, _top, bottom in body
        if text.startswith("表7-3")
    ]
    assert len(captions) == 2, captions  # in 目录 and above the table
    number, below = captions[-1]
    table = min(
        (t for t in reading.tables if t.page == number and t.bbox[1] >= below - 1),
        key=lambda t: t.bbox[1],
    )
    stub = min(c.key[0] for c in table.cells)
    names = [c.lines for c in table.cells if c.key[0] == stub and not c.header]
    assert len(names) >= 10, names
    assert [n for n in names if len(n) != 1] == []
    assert {"全市", "川东区", "黑河旗"} <= {n[0] for n in names}


# ---- the sizing itself, without a build -------------------------------------------------------


def _table_ast(table: Table) -> list[Any]:
    from statlib.render import _pandoc

    out = _pandoc.run(["-f", "markdown", "-t", "json"], table.to_pandoc().encode(), what="t")
    ast = json.loads(out)
    found = [b for b in ast["blocks"] if b["t"] == "Table"]
    assert len(found) == 1
    content: list[Any] = found[0]["c"]
    return content


def _wide(columns: int) -> Table:
    cols = [col("同比增长(%)", 1) for _ in range(columns)]
    return (
        Table("主要经济指标")
        .columns(*cols)
        .row("规模以上服务业营业收入（1—9月）", [1484.01] * columns, unit="亿元", decimals=2)
    )


@pytest.mark.parametrize(
    ("columns", "size", "headers_whole"),
    [
        (3, 9.5, True),  # fits at the template's size: nothing wraps, the stub takes the room
        (5, 9.5, True),  # the stub's label wraps, the figures and headers do not
        (6, 8.5, True),  # too wide: the text shrinks before any header wraps
        (7, 7.5, True),  # down to the smallest size
        (9, 7.5, False),  # then the headers wrap, between words only (同比增长/(%))
    ],
)
def test_columns_sized_from_their_content(columns: int, size: float, headers_whole: bool) -> None:
    sized = _typeset.size_table(_table_ast(_wide(columns)), _typeset.PAGE)
    assert sized.size == size
    assert sum(sized.widths) == pytest.approx(_typeset.PAGE.width)
    inset = 2 * _typeset.PAGE.inset
    figure = _typeset.measure("1484.01") * size + inset
    header = _typeset.measure("同比增长(%)", "sans-bold") * size + inset
    word = _typeset.measure("同比增长", "sans-bold") * size + inset
    for width in sized.widths[2:]:
        assert width >= figure and width >= word
        assert (width >= header) is headers_whole
    assert sized.widths[1] >= _typeset.measure("亿元", "sans-bold") * size + inset


@pytest.mark.parametrize(
    ("text", "face", "em"),
    [("绝对量", "sans-bold", 3.0), ("位次", "sans-bold", 2.0), ("1484.01", "serif", 3.49)],
)
def test_widths_from_the_shipped_fonts(text: str, face: str, em: float) -> None:
    assert _typeset.measure(text, face) == pytest.approx(em, abs=0.01)


def test_period_labels_and_figures_are_boxed() -> None:
    para = {"t": "Para", "c": [{"t": "Str", "c": "1—10月，增长6.2%，比1—9月加快0.2个百分点"}]}
    ast = _typeset.keep_together({"blocks": [para]})
    raws = [el["c"][1] for el in ast["blocks"][0]["c"][0]["c"][1] if el["t"] == "RawInline"]
    assert raws == [
        '#box("1—10月")',
        '#box("6.2%")',
        '#box("1—9月")',
        '#box("0.2个百分点")',
    ]
