"""Typesetting measured, not eyeballed: table columns sized from their content, no break inside
a period label or a number with its unit, no heading or lone table at a page foot (Typst/PDF).

Widths are measured with the advance widths of the shipped fonts (``templates/fonts``: body
cells in the Serif face, header cells in the Sans face Bold, as the Typst templates set them),
plus the quarter-em Typst puts between CJK and Latin characters. A column is as wide as its
widest cell; a header cell that spans columns widens the last of them. When the table is wider
than the text, the font shrinks in half points down to a minimum; at the minimum a header may
wrap, but only between its words (``同比增长`` / ``(%)``), and the stub (指标) column takes what
is left, its labels wrapping between boxed period labels. Header words, period labels
(``1—10月``, ``2023年``, ``10月末``) and numbers with their unit (``8.6%``, ``77.50亿元``) are
Typst boxes, which never break.

Each table goes to the template's ``statlib-table`` (``templates/typst/page.typ``,
``templates/book/book.typ``), which sets the chosen size and measures the table: one that fits
on a page is an unbreakable block (it moves whole to the next page rather than leave its
caption, header or a single row at a page foot); a longer one breaks with its header repeated.
A heading, and a paragraph that is only a bold lead (``附注``), sticks to what
follows it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from statlib import fonts
from statlib.render import _pandoc, nobreak

MM = 72 / 25.4


@dataclass(frozen=True)
class Geometry:
    """The table settings of one Typst template (they must match it)."""

    size: float  # table text size (pt): ``show table: set text(size: …)``
    min_size: float  # the smallest size a wide table shrinks to
    inset: float  # horizontal cell inset (pt): ``set table(inset: (x: …))``
    width: float  # text width (pt)


# statlib/templates/typst/page.typ: A4, margins left 28 mm, right 26 mm.
PAGE = Geometry(9.5, 7.5, 4.0, (210 - 28 - 26) * MM)
# statlib/templates/book/book.typ: A4, margins x 20 mm.
BOOK = Geometry(8.5, 6.5, 3.5, (210 - 40) * MM)

# Extra room per cell (em) against rounding and kerning; and between two boxed words.
_SLACK = 0.35
_STUB_MIN = "指标名称"  # the stub column is never narrower than four characters

# A period label or a figure with its sign and unit: never broken over two lines (the one
# definition, shared with the HTML and WeChat writers).
KEEP = nobreak.RUN
# Words of a header cell: a break is allowed before a bracket and at a space only.
_WORD = re.compile(r"[(（][^)）]*[)）]?|[^\s(（]+")


@functools.cache
def _metrics(face: str) -> tuple[dict[int, float], float]:
    """Advance widths (em) by code point of a shipped face, and the face's default."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    font = TTFont(str(fonts.font_files()[face]), lazy=True)
    upm = font["head"].unitsPerEm
    hmtx = font["hmtx"]
    widths = {cp: hmtx[name][0] / upm for cp, name in font.getBestCmap().items()}
    font.close()
    return widths, 1.0


def _cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def measure(text: str, face: str = "serif") -> float:
    """The width of ``text`` in em in a shipped face (``serif``, ``sans-bold`` …), with the
    quarter em Typst sets between a CJK and a Latin character."""
    widths, default = _metrics(face)
    total = 0.0
    for i, ch in enumerate(text):
        total += widths.get(ord(ch), default if _cjk(ch) else 0.55)
        if i and ch.strip() and text[i - 1].strip() and _cjk(ch) != _cjk(text[i - 1]):
            if unicodedata.category(ch)[0] in "LN" and unicodedata.category(text[i - 1])[0] in "LN":
                total += 0.25
    return total


def words(text: str) -> list[str]:
    """A header's words: it may wrap between them only."""
    return _WORD.findall(text) or [text]


# ---- the AST ---------------------------------------------------------------------------------


def plain(inlines: list[dict[str, Any]]) -> str:
    """The text of pandoc inlines (RawInline boxes written by this module included)."""
    out = []
    for el in inlines:
        t: str = el["t"]
        c: Any = el.get("c")
        if t == "Str":
            out.append(c)
        elif t in ("Space", "SoftBreak"):
            out.append(" ")
        elif t == "LineBreak":
            out.append("\n")
        elif t == "RawInline" and c[0] == "typst":
            out.append(_unbox(c[1]))
        elif t in ("Strong", "Emph", "Underline", "SmallCaps", "Strikeout"):
            out.append(plain(c))
        elif t in ("Span", "Quoted", "Cite"):
            out.append(plain(c[1]))
        elif t == "Code":
            out.append(c[1])
    return "".join(out)


def _box(text: str) -> dict[str, Any]:
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    return {"t": "RawInline", "c": ["typst", f'#box("{quoted}")']}


_BOXED = re.compile(r'^#box\("((?:[^"\\]|\\.)*)"\)$')
_HYPHEN = re.compile(r"^\\-$")


def _unbox(raw: str) -> str:
    m = _BOXED.match(raw)
    if m:
        return re.sub(r"\\(.)", r"\1", m.group(1))
    return "-" if _HYPHEN.match(raw) else ""


def _keep_together(el: dict[str, Any]) -> dict[str, Any] | None:
    """A Str holding a period label or a figure with its unit: those runs boxed."""
    if el["t"] != "Str" or not KEEP.search(el["c"]):
        return None
    parts = [_box(run) if keep else {"t": "Str", "c": run} for run, keep in nobreak.split(el["c"])]
    return {"t": "Span", "c": [["", [], []], parts]}


def _cell_blocks(cell: list[Any]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = cell[4]
    return blocks


def _cell_text(cell: list[Any]) -> str:
    return "\n".join(
        plain(b["c"]) for b in _cell_blocks(cell) if b["t"] in ("Plain", "Para")
    ).strip()


def _box_header_words(cell: list[Any]) -> None:
    """A header cell's words as boxes, so that it wraps between words only."""
    text = _cell_text(cell)
    if not text:
        return
    boxed: list[dict[str, Any]] = []
    for w in words(text):
        if boxed and not w.startswith(("(", "（")):
            boxed.append({"t": "Space"})
        boxed.append(_box(w))
    blocks = _cell_blocks(cell)
    strong = any(
        el["t"] == "Strong" for b in blocks if b["t"] in ("Plain", "Para") for el in b["c"]
    )
    content = [{"t": "Strong", "c": boxed}] if strong else boxed
    cell[4] = [{"t": "Plain", "c": content}]


@dataclass(frozen=True)
class Sized:
    widths: tuple[float, ...]  # pt
    size: float  # pt


def _grid(table: list[Any]) -> tuple[list[tuple[int, int, str, bool]], int, int]:
    """(column, colspan, text, header?) of every cell; the number of columns and body rows."""
    colspecs = table[2]
    ncols = len(colspecs)
    cells: list[tuple[int, int, str, bool]] = []
    nrows = 0

    def rows(rowlist: list[Any], header: bool) -> None:
        nonlocal nrows
        taken: dict[tuple[int, int], bool] = {}
        for r, row in enumerate(rowlist):
            c = 0
            for cell in row[1]:
                while taken.get((r, c)):
                    c += 1
                rowspan, colspan = cell[2], cell[3]
                for dr in range(rowspan):
                    for dc in range(colspan):
                        taken[(r + dr, c + dc)] = True
                cells.append((c, colspan, _cell_text(cell), header))
                c += colspan
            if not header:
                nrows += 1

    rows(table[3][1], True)
    for body in table[4]:
        rows(body[2], True)
        rows(body[3], False)
    rows(table[5][1], False)
    return cells, ncols, nrows


def size_table(table: list[Any], geom: Geometry) -> Sized:
    """Column widths (pt) and text size for a pandoc Table's content ``table`` (its ``c``)."""
    cells, ncols, _rows = _grid(table)
    # em widths: natural (nothing wraps) and minimum (headers wrap between their words, the
    # stub's labels wrap between boxed period labels); figures never wrap
    natural = [0.0] * ncols
    minimum = [0.0] * ncols
    spans: list[tuple[int, int, float, float]] = []
    for col, span, text, header in cells:
        lines = text.split("\n") if text else [""]
        face = "sans-bold" if header else "serif"
        nat = max(measure(line, face) for line in lines) + _SLACK
        if header:
            low = max(measure(w, face) for line in lines for w in words(line)) + _SLACK
        elif col == 0 and ncols > 1:
            chunks = [m.group() for m in KEEP.finditer(text)] + [_STUB_MIN]
            low = max(measure(w, face) for w in chunks) + _SLACK
        else:
            low = nat
        if span > 1:
            spans.append((col, span, nat, low))
            continue
        natural[col] = max(natural[col], nat)
        minimum[col] = max(minimum[col], low)
    for col, span, nat, low in spans:
        for widths, need in ((natural, nat), (minimum, low)):
            have = sum(widths[col : col + span])
            if need > have:
                widths[col + span - 1] += need - have
    minimum = [min(m, n) for m, n in zip(minimum, natural, strict=True)]

    def pt(em: list[float], size: float) -> list[float]:
        return [w * size + 2 * geom.inset for w in em]

    size = geom.size
    while True:
        widths = pt(natural, size)
        if sum(widths) <= geom.width:
            break
        # the stub column gives up room first (its labels wrap)
        rest = sum(widths[1:])
        if ncols > 1 and rest + pt(minimum, size)[0] <= geom.width:
            widths = [geom.width - rest, *widths[1:]]
            break
        if size - 0.5 >= geom.min_size:
            size -= 0.5
            continue
        # at the smallest size the headers wrap between words too; the stub takes the rest
        widths = pt(minimum, size)
        if ncols > 1 and sum(widths) < geom.width:
            widths[0] = min(pt(natural, size)[0], geom.width - sum(widths[1:]))
        break
    chosen = list(widths)
    if ncols > 1:  # room left goes to the stub's labels first, then to every column alike
        chosen[0] = max(chosen[0], min(pt(natural, size)[0], geom.width - sum(chosen[1:])))
    spare = geom.width - sum(chosen)
    if spare > 0:
        chosen = [w + spare / ncols for w in chosen]
    return Sized(tuple(chosen), size)


def keep_together(ast: dict[str, Any]) -> dict[str, Any]:
    """``ast`` with its period labels and numbers with their unit boxed (before ``-`` is made
    Typst's ``\\-``: a box holds the text as a string, the minus as written)."""
    result: dict[str, Any] = _pandoc.walk(ast, _keep_together)
    return result


def typeset(ast: dict[str, Any], geom: Geometry = PAGE) -> dict[str, Any]:
    """``ast`` with its tables sized and kept whole where they fit, header words boxed, bold
    leads sticky (see the module's docstring)."""

    def fix(el: dict[str, Any]) -> dict[str, Any] | None:
        if el["t"] != "Table":
            return None
        table = el["c"]
        for row in table[3][1]:
            for cell in row[1]:
                _box_header_words(cell)
        sized = size_table(table, geom)
        table[2] = [
            [spec[0], {"t": "ColWidth", "c": round(w / geom.width, 6)}]
            for spec, w in zip(table[2], sized.widths, strict=True)
        ]
        # the template's statlib-table measures the table: whole if it fits on a page
        size = "" if sized.size == geom.size else f"(size: {sized.size}pt)"
        return _wrapped(el, f"#statlib-table{size}[", "]")

    return _sticky_leads(_pandoc.walk(ast, fix))


def _sticky_leads(node: Any) -> Any:
    """A paragraph that is only a short bold lead (``附注``) sticks to the block after it;
    tables are left alone (their header cells are bold too)."""
    if isinstance(node, list):
        return [_sticky_leads(x) for x in node]
    if not isinstance(node, dict) or node.get("t") in ("Table", "RawBlock"):
        return node
    if node.get("t") in ("Para", "Plain"):
        c = node["c"]
        if len(c) == 1 and c[0]["t"] == "Strong" and len(plain(c).strip()) <= 20:
            return _wrapped(node, "#block(sticky: true)[", "]")
        return node
    return {k: _sticky_leads(v) for k, v in node.items()}


def _wrapped(el: dict[str, Any], opening: str, closing: str) -> dict[str, Any]:
    return {
        "t": "Div",
        "c": [
            ["", ["statlib-keep"], []],
            [
                {"t": "RawBlock", "c": ["typst", opening]},
                el,
                {"t": "RawBlock", "c": ["typst", closing]},
            ],
        ],
    }
