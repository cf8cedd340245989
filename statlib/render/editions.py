"""Editions of one document: ``internal``, ``public`` and ``masked`` (DESIGN.md "Editions").

``apply(ast, edition)`` edits the pandoc JSON AST read from the notebook and returns a new one:

- ``internal``: unchanged (the templates mark every page 内部资料).
- ``public``: internal-only content removed — a Div or Span with the class ``internal-only``
  (Markdown ``::: {.internal-only}`` … ``:::`` or ``[…]{.internal-only}``) or a notebook cell
  tagged ``internal-only``. The notebook metadata (``meta.jupyter``: papermill parameters,
  paths) is dropped too. Suppression of unsafe cells happens at the data layer, not here.
- ``masked`` (CONVENTIONS §9, copies circulated outside): the public edition with every digit of
  every figure replaced by ``*``, keeping the shape (``增长**.*%``, ``*.*万家``, ``-*.*``,
  ``*,***.**亿元``). ``mask_text`` documents what stays. Charts become ``图略``: a Figure keeps
  its id and its (masked) caption, its body becomes the paragraph 图略; a lone Image becomes the
  text 图略. Everything that could carry a digit into an output byte is handled: table cells and
  captions, Code/CodeBlock and Math (masked), attributes (ids with digits renamed to letters,
  consistently with ``#`` links and citations; classes and keys with digits dropped; values
  masked), link titles (masked), external link targets with digits (the link becomes a Span),
  metadata (masked, except the layout keys in ``LAYOUT_META`` and a bare issue number).
  Raw blocks and inlines without digits stay; raw HTML blocks with digits are re-read by
  pandoc as HTML and masked; any other raw content with digits is dropped.

>>> mask_text("2023年1—11月，新入库企业125家，增长12.5%，居全区第4位（见表2-7）")
'2023年1—11月，新入库企业***家，增长**.*%，居全区第*位（见表2-7）'
"""

from __future__ import annotations

import json
import re
from typing import Any

from statlib.editions import EDITIONS
from statlib.errors import ConfigError

__all__ = ["EDITIONS", "INTERNAL_ONLY", "LAYOUT_META", "apply", "mask_text"]

INTERNAL_ONLY = "internal-only"
#: Metadata keys written verbatim in the masked edition: layout settings, never figures.
LAYOUT_META = frozenset(
    {
        "lang",
        "dir",
        "toc",
        "toc-depth",
        "toc-title",
        "number-sections",
        "secnumdepth",
        "fontsize",
        "papersize",
        "margin",
        "geometry",
        "linestretch",
        "columns",
        "mainfont",
        "edition",
        "formats",
        "template",
        "red",
        "color",
        "serial",
        "copies",
    }
)
FIGURE_OMITTED = "图略"
_TAG = re.compile(rf"[\"'\s,\[]{INTERNAL_ONLY}[\"'\s,\]]")

_SEP = r"\s*[—–\-～~至到]\s*"
_Y = r"(?:1[89]|20)\d{2}"
_M = r"(?:1[0-2]|0?[1-9])"
_D = r"(?:3[01]|[12]\d|0?[1-9])"
_UNITS = "%‰万亿千百元家个人户吨倍位名项"
_NB = r"(?<![\d.,])"  # not glued to a digit, a decimal point or a thousands separator
_LABEL_BEFORE = "\\s见如附续和与及至、，,（(：:；;“”\"'\x00"
_KEEP = re.compile(
    "|".join(
        [
            rf"{_NB}{_Y}(?:{_SEP}{_Y})?(?=\s*年)",  # 2023年, 2019—2023年
            rf"{_NB}{_Y}([-/.]){_M}\1{_D}(?!\d)",  # 2023-11-28, 2023/11/28, 2023.11.28
            rf"{_NB}{_Y}[-/](?:0[1-9]|1[0-2])(?![\d.,])",  # 2023-11
            rf"{_NB}{_M}(?:{_SEP}{_M})?(?=\s*月)",  # 1—11月, 11月份, 11月末
            rf"(?<=月)\s*{_D}(?:{_SEP}{_D})?(?=\s*[日号])",  # 11月28日
            rf"{_NB}[1-4](?=\s*季度)",  # 3季度
            r"(?<=第)\s*\d{1,4}\s*(?=[期章节篇卷]|部分)",  # 第12期, 第3章
            rf"(?<![^{_LABEL_BEFORE}])[附续]?[表图]\s*\d{{1,3}}(?:\s*[-‐–—.．]\s*\d{{1,3}})?"
            rf"(?![.,]?\d|\s*[{_UNITS}])",  # 表1, 表2-7, 图3, 见附表1
            r"(?<=注)\s*\d{1,2}(?=\s*[：:.、）)])",  # 注1：
            r"(?<![A-Za-z\d.])(?:PM2\.5|PM10|[345]G)(?![A-Za-z\d])",  # names, not figures
            rf"{_NB}\d{{2}}(?:\.\d)?(?=\s*%\s*(?:预测|置信)区间)",  # 95%预测区间: a method's level
        ]
    )
)
_START = re.compile(r"^\s*(?:[（(]\s*\d{1,2}\s*[）)]|\d{1,2}(?=\s*[、．]|\.(?!\d)))")
_HEADING_START = re.compile(rf"^\s*\d{{1,2}}(?:\.\d{{1,2}}){{1,2}}(?=\s+[^\d\s{_UNITS}])")
_HEAD_YEAR = re.compile(rf"^\s*{_Y}\s*$")
_FOOTNOTE_MARK = re.compile(r"^\s*[\[［(（]?\s*\d{1,2}\s*[\]］)）]?\s*$")
_CN = "〇零一二两三四五六七八九十"
_RANK = re.compile(
    rf"(?<=[区市省国盟县旗名列居]第)[{_CN}]+|(?<=第)[{_CN}]+(?=\s*[位名])"
    rf"|(?<=[升降进退])[{_CN}]+(?=\s*[位名])"
)


def mask_text(text: str, kind: str = "", sups: tuple[tuple[int, int], ...] = ()) -> str:
    """``text`` with the digits of its figures replaced by ``*`` (same length).

    Stays: years (``2023年``, ``2019—2023年``, ``2023-11-28``), months and days (``1—11月``,
    ``11月份``, ``11月末``, ``11月28日``), quarters (``3季度``), issue and chapter numbers
    (``第12期``, ``第3章``), table and figure numbers (``表1``, ``表2-7``, ``图3``, not when a
    unit follows), note numbers (``注1：``), names (``PM2.5``, ``5G``), the level of an interval
    (``95%预测区间``, ``95%置信区间``: a method's setting, not a figure). With ``kind`` ``"para"``
    or ``"heading"`` a leading list number stays (``1.``, ``1、``, ``（1）``; headings also
    ``1.1 ``); ``"head"`` (a table header cell) also keeps a lone year (``2023``). ``sups``
    are spans of superscripts kept when they are footnote marks (``1``, ``[2]``). Ranks in
    Chinese numerals are masked too (``居全区第四位`` → ``居全区第*位``).

    >>> mask_text("第4位，-5.4，1,234.56亿元，3.2万家，2023年11月28日，第12期")
    '第*位，-*.*，*,***.**亿元，*.*万家，2023年11月28日，第12期'
    >>> mask_text("1.1 工业生产", "heading"), mask_text("3.2 万家", "heading")
    ('1.1 工业生产', '*.* 万家')
    """
    keep = bytearray(len(text))
    spans = [m.span() for m in _KEEP.finditer(text)]
    if kind:
        start = (_HEADING_START.match(text) if kind == "heading" else None) or _START.match(text)
        if start:
            spans.append(start.span())
        if kind == "head" and _HEAD_YEAR.match(text):
            spans.append((0, len(text)))
    spans += [(a, b) for a, b in sups if _FOOTNOTE_MARK.match(text[a:b])]
    for a, b in spans:
        keep[a:b] = b"\x01" * (b - a)
    chars = list(text)
    for i, ch in enumerate(chars):
        if ch.isdecimal() and not keep[i]:
            chars[i] = "*"
    for m in _RANK.finditer(text):
        chars[m.start() : m.end()] = "*" * (m.end() - m.start())
    return "".join(chars)


def apply(ast: dict[str, Any], edition: str) -> dict[str, Any]:
    """A new AST for ``edition`` (``internal``, ``public`` or ``masked``); ``ast`` is unchanged.

    >>> doc = {"pandoc-api-version": [1, 23, 1], "meta": {},
    ...        "blocks": [{"t": "Para", "c": [{"t": "Str", "c": "增长7.2%"}]}]}
    >>> apply(doc, "masked")["blocks"][0]["c"][0]["c"]
    '增长*.*%'
    """
    if edition not in EDITIONS:
        raise ConfigError(f"edition must be one of {', '.join(EDITIONS)}; got {edition!r}")
    if not isinstance(ast, dict) or not isinstance(ast.get("blocks"), list):
        raise ConfigError("ast must be a pandoc JSON document (a dict with 'blocks')")
    if edition == "internal":
        return json.loads(json.dumps(ast))
    public = _drop_internal(ast)
    public["meta"] = {k: v for k, v in public.get("meta", {}).items() if k != "jupyter"}
    if edition == "public":
        return public
    return _Masker().document(public)


def _is_internal(node: Any) -> bool:
    if not (isinstance(node, dict) and node.get("t") in ("Div", "Span")):
        return False
    _, classes, attributes = node["c"][0]
    tags = " ".join(v for k, v in attributes if k == "tags")
    return INTERNAL_ONLY in classes or _TAG.search(f" {tags} ") is not None


def _drop_internal(node: Any) -> Any:
    """A copy of ``node`` without internal-only Divs and Spans (at any depth)."""
    if isinstance(node, list):
        return [_drop_internal(x) for x in node if not _is_internal(x)]
    if isinstance(node, dict):
        return {k: _drop_internal(v) for k, v in node.items()}
    return node


def _has_digit(text: str) -> bool:
    return any(ch.isdecimal() for ch in text)


class _Run:
    """The text of one inline sequence across formatting, so that rules see whole numbers."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.nodes: list[tuple[dict[str, Any], int]] = []
        self.sups: list[tuple[int, int]] = []
        self.pos = 0

    def text(self, node: dict[str, Any]) -> None:
        self.nodes.append((node, self.pos))
        self.add(node["c"])

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.pos += len(text)

    def finish(self, kind: str) -> None:
        masked = mask_text("".join(self.parts), kind, tuple(self.sups))
        for node, start in self.nodes:
            node["c"] = masked[start : start + len(node["c"])]


_WRAPPERS = ("Emph", "Underline", "Strong", "Strikeout", "Subscript", "SmallCaps", "Superscript")


class _Masker:
    """Rebuilds an AST with figures masked (see the module docstring)."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.reread = False

    def document(self, ast: dict[str, Any]) -> dict[str, Any]:
        meta = {}
        for key, value in ast.get("meta", {}).items():
            if key in LAYOUT_META or (key == "issue" and _is_issue(value)):
                meta[key] = value
            else:
                meta[mask_text(key)] = self.meta(value)
        return {
            "pandoc-api-version": ast["pandoc-api-version"],
            "meta": meta,
            "blocks": self.blocks(ast["blocks"]),
        }

    def meta(self, value: dict[str, Any]) -> dict[str, Any]:
        t: str = value["t"]
        c: Any = value.get("c")
        if t == "MetaMap":
            return {"t": t, "c": {mask_text(k): self.meta(v) for k, v in c.items()}}
        if t == "MetaList":
            return {"t": t, "c": [self.meta(v) for v in c]}
        if t == "MetaString":
            return {"t": t, "c": mask_text(c)}
        if t == "MetaInlines":
            return {"t": t, "c": self.inlines(c)}
        if t == "MetaBlocks":
            return {"t": t, "c": self.blocks(c)}
        return value  # MetaBool

    def ident(self, ident: str) -> str:
        if not _has_digit(ident):
            return ident
        if ident not in self.ids:
            n, name = len(self.ids), ""
            while True:
                n, r = divmod(n, 26)
                name = chr(97 + r) + name
                if n == 0:
                    break
                n -= 1
            self.ids[ident] = f"masked-{name}"
        return self.ids[ident]

    def attr(self, attr: list[Any]) -> list[Any]:
        ident, classes, pairs = attr
        return [
            self.ident(ident),
            [c for c in classes if not _has_digit(c)],
            [[k, mask_text(v)] for k, v in pairs if not _has_digit(k)],
        ]

    def caption(self, caption: list[Any]) -> list[Any]:
        short, blocks = caption
        return [None if short is None else self.inlines(short), self.blocks(blocks)]

    def blocks(self, blocks: list[Any], kind: str = "para") -> list[Any]:
        return [new for b in blocks for new in self.block(b, kind)]

    def block(self, b: dict[str, Any], kind: str) -> list[Any]:
        t: str = b["t"]
        c: Any = b.get("c")
        if t in ("Plain", "Para"):
            return [{"t": t, "c": self.inlines(c, kind)}]
        if t == "Header":
            return [{"t": t, "c": [c[0], self.attr(c[1]), self.inlines(c[2], "heading")]}]
        if t == "LineBlock":
            return [{"t": t, "c": [self.inlines(line) for line in c]}]
        if t == "CodeBlock":
            return [{"t": t, "c": [self.attr(c[0]), mask_text(c[1])]}]
        if t == "RawBlock":
            return self.raw_block(b)
        if t == "BlockQuote":
            return [{"t": t, "c": self.blocks(c)}]
        if t == "OrderedList":
            return [{"t": t, "c": [c[0], [self.blocks(item) for item in c[1]]]}]
        if t == "BulletList":
            return [{"t": t, "c": [self.blocks(item) for item in c]}]
        if t == "DefinitionList":
            return [
                {
                    "t": t,
                    "c": [[self.inlines(term), [self.blocks(d) for d in defs]] for term, defs in c],
                }
            ]
        if t == "HorizontalRule":
            return [b]
        if t == "Div":
            return [{"t": t, "c": [self.attr(c[0]), self.blocks(c[1], kind)]}]
        if t == "Figure":
            omitted = {"t": "Para", "c": [{"t": "Str", "c": FIGURE_OMITTED}]}
            return [{"t": t, "c": [self.attr(c[0]), self.caption(c[1]), [omitted]]}]
        if t == "Table":
            attr, caption, colspecs, head, bodies, foot = c
            return [
                {
                    "t": t,
                    "c": [
                        self.attr(attr),
                        self.caption(caption),
                        colspecs,
                        self.part(head, "head"),
                        [
                            [self.attr(a), n, self.rows(hr, "head"), self.rows(br, "para")]
                            for a, n, hr, br in bodies
                        ],
                        self.part(foot, "para"),
                    ],
                }
            ]
        return []  # an element this pandoc API does not know: nothing unread goes out

    def part(self, part: list[Any], kind: str) -> list[Any]:
        return [self.attr(part[0]), self.rows(part[1], kind)]

    def rows(self, rows: list[Any], kind: str) -> list[Any]:
        return [
            [
                self.attr(attr),
                [
                    [self.attr(a), align, rs, cs, self.blocks(blocks, kind)]
                    for a, align, rs, cs, blocks in cells
                ],
            ]
            for attr, cells in rows
        ]

    def raw_block(self, b: dict[str, Any]) -> list[Any]:
        fmt, text = b["c"]
        if not _has_digit(text):
            return [b]
        if fmt in ("html", "html5") and not self.reread:
            from statlib.render import _pandoc

            self.reread = True
            try:
                doc = json.loads(
                    _pandoc.run(
                        ["-f", "html", "-t", "json"],
                        text.encode(),
                        what="raw HTML of the masked edition",
                    )
                )
                return self.blocks(doc["blocks"])
            finally:
                self.reread = False
        return []

    def inlines(self, inlines: list[Any], kind: str = "") -> list[Any]:
        run = _Run()
        out = self.walk(inlines, run)
        run.finish(kind)
        return out

    def walk(self, inlines: list[Any], run: _Run) -> list[Any]:
        out: list[Any] = []
        for el in inlines:
            t, c = el["t"], el.get("c")
            if t == "Str":
                node = {"t": t, "c": c}
                run.text(node)
                out.append(node)
            elif t in ("Space", "SoftBreak", "LineBreak"):
                run.add(" ")
                out.append(el)
            elif t in _WRAPPERS:
                start = run.pos
                out.append({"t": t, "c": self.walk(c, run)})
                if t == "Superscript":
                    run.sups.append((start, run.pos))
            elif t == "Quoted":
                run.add('"')
                out.append({"t": t, "c": [c[0], self.walk(c[1], run)]})
                run.add('"')
            elif t == "Span":
                out.append({"t": t, "c": [self.attr(c[0]), self.walk(c[1], run)]})
            elif t == "Link":
                out.append(self.link(c, run))
            elif t == "Cite":
                cites = [
                    {
                        **x,
                        "citationId": self.ident(x["citationId"]),
                        "citationPrefix": self.inlines(x["citationPrefix"]),
                        "citationSuffix": self.inlines(x["citationSuffix"]),
                    }
                    for x in c[0]
                ]
                out.append({"t": t, "c": [cites, self.walk(c[1], run)]})
            else:
                run.add("\x00")
                new = self.atom(el)
                if new is not None:
                    out.append(new)
        return out

    def link(self, c: list[Any], run: _Run) -> dict[str, Any]:
        attr, content, (url, title) = c
        inner = self.walk(content, run)
        if url.startswith("#"):
            url = "#" + self.ident(url[1:])
        elif _has_digit(url):
            return {"t": "Span", "c": [self.attr(attr), inner]}
        return {"t": "Link", "c": [self.attr(attr), inner, [url, mask_text(title)]]}

    def atom(self, el: dict[str, Any]) -> dict[str, Any] | None:
        t: str = el["t"]
        c: Any = el.get("c")
        if t == "Image":
            return {"t": "Str", "c": FIGURE_OMITTED}
        if t == "Code":
            return {"t": t, "c": [self.attr(c[0]), mask_text(c[1])]}
        if t == "Math":
            return {"t": t, "c": [c[0], mask_text(c[1])]}
        if t == "RawInline":
            return None if _has_digit(c[1]) else el
        if t == "Note":
            return {"t": t, "c": self.blocks(c)}
        return None


def _is_issue(value: dict[str, Any]) -> bool:
    """A bare issue number (``12``, ``第12期``): kept in the masked edition."""
    c: Any = value.get("c")
    if value.get("t") == "MetaInlines":
        c = "".join(x.get("c", " ") if x["t"] == "Str" else " " for x in c)
    return isinstance(c, str) and re.fullmatch(r"\s*(?:第\s*)?\d{1,4}(?:\s*期)?\s*", c) is not None
