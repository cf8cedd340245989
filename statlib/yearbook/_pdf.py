"""The book as one PDF: the chapters' Typst bodies inside ``templates/book/book.typ``.

Each chapter's AST (read once) is written by pandoc as a Typst fragment, one heading level down
(the chapter title is level 1); its identifiers get the chapter's prefix so that no label repeats
in the book, its tables keep ``t章-序``. ``main.typ`` strings together the cover, 编辑说明, the
contents (Typst ``outline``: chapters and tables with their pages) and the chapters. The facts
(title, year, chapter titles) reach Typst as ``book.json``, never as markup. Typst compiles with
the shipped fonts only; the document has no date, so the same chapters give the same bytes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, cast

from statlib import fonts
from statlib.render import _pandoc, _typeset
from statlib.render.pdf import compile_pdf, typst_ast
from statlib.yearbook._model import TEMPLATES, BookInfo, Part

_FRAGMENT = ["--wrap=none", "--shift-heading-level-by=1"]


def _prefixed(ast: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Identifiers (but the tables' ``t章-序``) and the links to them get ``prefix``."""

    def rename(ident: str) -> str:
        keep = not ident or (ident.startswith("t") and ident[1:2].isdigit())
        return ident if keep else prefix + ident

    def fix(el: dict[str, Any]) -> None:
        kind, content = el["t"], cast(Any, el.get("c"))
        if kind == "Header":
            content[1][0] = rename(content[1][0])
        elif kind in ("Div", "Span", "Figure", "Table", "CodeBlock"):
            content[0][0] = rename(content[0][0])
        elif kind == "Link" and content[2][0].startswith("#"):
            content[2][0] = "#" + rename(content[2][0][1:])

    return _pandoc.walk(ast, fix)


def chapter_typst(part: Part, root: Path) -> str:
    """The Typst fragment of one chapter (images relative to ``root``)."""
    ast = _prefixed(typst_ast(part.doc, root, _typeset.BOOK), f"c{part.chapter.number}-")
    out = _pandoc.write(ast, "typst", _FRAGMENT, what=f"{part.chapter.file} → typst")
    return out.decode("utf-8")


def markdown_typst(text: str, *, what: str) -> str:
    """A Markdown fragment as Typst markup (raw markup in it stays text)."""
    args = ["-f", "markdown-raw_html-raw_tex-raw_attribute", "-t", "typst", "--wrap=none"]
    return _pandoc.run(args, text.encode("utf-8"), what=what).decode("utf-8")


def book_json(info: BookInfo, parts: list[Part]) -> dict[str, Any]:
    """The facts the Typst template reads."""
    return {
        "title": info.title,
        "title_en": info.title_en,
        "full_title": info.full_title,
        "full_title_en": info.full_title_en,
        "unit": info.unit,
        "year": info.year,
        "pub_year": info.pub_year,
        "edition": info.edition,
        "chapters": [
            {
                "number": p.chapter.number,
                "heading": p.heading,
                "title": p.chapter.title,
                "title_en": p.chapter.title_en,
            }
            for p in parts
        ],
    }


def book_source(info: BookInfo, parts: list[Part], editorial_md: str, root: Path) -> str:
    """``main.typ`` of the book; writes ``book.typ`` and ``book.json`` into ``root``."""
    shutil.copyfile(TEMPLATES / "book.typ", root / "book.typ")
    (root / "book.json").write_text(
        json.dumps(book_json(info, parts), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    lines = [
        '#import "book.typ": book, cover, front-heading, contents, chapter, statlib-table',
        "#show: book",
        "#cover()",
        '#set page(numbering: "I")',
        "#counter(page).update(1)",
        "#front-heading[编辑说明]",
        markdown_typst(editorial_md, what="编辑说明 → typst"),
        "#contents()",
        '#set page(numbering: "1")',
        "#counter(page).update(1)",
    ]
    for part in parts:
        lines += [f"#chapter({part.chapter.number})", chapter_typst(part, root)]
    return "\n".join(lines) + "\n"


def write_book_pdf(
    info: BookInfo, parts: list[Part], editorial_md: str, root: Path, path: Path
) -> Path:
    """Compile the book's PDF at ``path``; ``root`` holds the chapters' media (Typst's root)."""
    fonts.font_files()  # a clear ConfigError when the shipped fonts are missing
    source = book_source(info, parts, editorial_md, root)
    path.write_bytes(compile_pdf(source, root, what=f"{info.full_title} → pdf"))
    return path
