"""The book's parts: its title page facts and its chapters, each read once with its tables.

A chapter is read once by the renderer (``statlib.render.read``: front matter, pandoc through the
Lua filters, the edition hook); its tables come back from the executed notebook's output
metadata (``statlib.yearbook.chapter_tables``). Every table in the AST gets the identifier
``t章-序`` (``t2-1``): the anchor of the HTML page, the label in the PDF.
"""

from __future__ import annotations

import dataclasses
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from statlib import yearbook
from statlib.errors import ConfigError
from statlib.render import Document, _pandoc, read
from statlib.tables import Table

TEMPLATES = _pandoc.templates_dir() / "book"
_DIGITS = "零一二三四五六七八九"
_CAPTION_NUMBER = re.compile(r"^表\s*(\d+-\d+)")


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 23 → 二十三 (1–99)."""
    if not 0 < n < 100:
        raise ValueError(f"chapter number out of range: {n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


@dataclass(frozen=True)
class BookInfo:
    """What the title page says: 《云川统计年鉴2024》 (``full_title``) holds the data of 2023
    (``year``) and is published in 2024 (``pub_year``); ``slug`` (``yearbook-2024``,
    ``yearbook-2024-internal``) names its PDF and its archive."""

    title: str
    title_en: str
    unit: str
    year: int
    edition: str
    pub_year: int
    full_title: str
    full_title_en: str
    slug: str


def load_info(year: int, edition: str, path: Path | None = None) -> BookInfo:
    """The title facts of the book of data year ``year`` from ``book.yaml``."""
    source = path if path is not None else yearbook.book_file()
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    pub = year + 1
    suffix = "" if edition == "public" else f"-{edition}"
    return BookInfo(
        title=data["title"],
        title_en=data["title_en"],
        unit=data["unit"],
        year=year,
        edition=edition,
        pub_year=pub,
        full_title=f"{data['title']}{pub}",
        full_title_en=f"{data['title_en']} {pub}",
        slug=f"yearbook-{pub}{suffix}",
    )


@dataclass(frozen=True)
class TableRef:
    """One table as the contents, the pages and the downloads name it: its ``label`` 表2-1,
    its ``anchor`` t2-1 in the chapter page, its workbook ``xlsx/02-01.xlsx``."""

    number: str
    title: str
    title_en: str | None
    label: str
    anchor: str
    xlsx: str

    @classmethod
    def of(cls, table: Table) -> TableRef:
        number = str(table.number)
        return cls(
            number,
            table.title,
            table.title_en,
            label=f"表{number}",
            anchor=f"t{number}",
            xlsx=f"xlsx/{yearbook.xlsx_name(table)}",
        )


@dataclass(frozen=True)
class Part:
    """One chapter, read once: its document (AST with table anchors) and its tables."""

    chapter: yearbook.Chapter
    doc: Document
    tables: tuple[Table, ...]

    @property
    def refs(self) -> list[TableRef]:
        return [TableRef.of(t) for t in self.tables]

    @property
    def page(self) -> str:
        return f"{self.chapter.number:02d}.html"

    @property
    def heading(self) -> str:
        return f"{chinese_numeral(self.chapter.number)}、{self.chapter.title}"


def inline_text(inlines: list[dict[str, Any]]) -> str:
    """The plain text of a list of pandoc inlines (JSON AST)."""
    out: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for x in node:
                visit(x)
        elif isinstance(node, dict):
            kind = node.get("t")
            if kind == "Str":
                out.append(node["c"])
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                out.append(" ")
            elif kind not in ("RawInline", "Note"):
                visit(node.get("c"))

    visit(inlines)
    return "".join(out)


def _anchor_tables(ast: dict[str, Any], name: str) -> tuple[dict[str, Any], list[str]]:
    """Every table's identifier set to ``t章-序`` from its caption; the numbers in order."""
    found: list[str] = []

    def fix(el: dict[str, Any]) -> None:
        if el["t"] != "Table":
            return
        caption = inline_text(el["c"][1][1])
        match = _CAPTION_NUMBER.match(caption)
        if match is None:
            raise ConfigError(f"{name}: a table has no 章-序 number in its caption: {caption!r}")
        found.append(match.group(1))
        el["c"][0][0] = f"t{match.group(1)}"

    return _pandoc.walk(ast, fix), found


def read_part(chapter: yearbook.Chapter, notebook: Path, media: Path, edition: str) -> Part:
    """Read an executed chapter once; its AST's tables and its shown tables must agree."""
    doc = read(Path(notebook), media, edition=edition)
    ast, numbers = _anchor_tables(doc.ast, chapter.file)
    tables = tuple(yearbook.chapter_tables(notebook))
    shown = [str(t.number) for t in tables]
    if numbers != shown:
        raise ConfigError(
            f"{chapter.file}: the tables in the text ({', '.join(numbers) or 'none'}) differ from "
            f"the tables shown with yearbook.show ({', '.join(shown) or 'none'})"
        )
    wrong = [n for n in shown if int(n.split("-")[0]) != chapter.number]
    if wrong:
        raise ConfigError(
            f"{chapter.file}: tables {', '.join(wrong)} are not numbered in chapter "
            f"{chapter.number} (章-序)"
        )
    return Part(chapter, dataclasses.replace(doc, ast=ast), tables)


_EDITION_NOTES = {
    "public": "本书为公开版。按照统计法律制度对调查对象资料保密的规定，可能推算出单个调查对象资料的"
    "数据不予公布，表中以“…”表示。",
    "internal": "本书为内部版，含全部数据，仅供内部使用，注意保存，不得公开。",
}


def editorial(info: BookInfo, parts: list[Part]) -> str:
    """编辑说明 (Markdown) from ``templates/book/editorial.md``: the book's own facts filled in."""
    text = (TEMPLATES / "editorial.md").read_text(encoding="utf-8")
    return string.Template(text).substitute(
        full_title=info.full_title,
        year=info.year,
        chapters=chinese_numeral(len(parts)),
        chapter_list="、".join(p.chapter.title for p in parts),
        symbols=yearbook.SYMBOLS_NOTE.replace("本章表中", "本书表中"),
        rounding=yearbook.ROUNDING_NOTE,
        edition_note=_EDITION_NOTES.get(info.edition, _EDITION_NOTES["internal"]),
    )
