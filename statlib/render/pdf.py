"""PDF: pandoc writes Typst source with ``templates/typst/page.typ``; Typst compiles it.

Only the shipped fonts are used (``ignore_system_fonts``), so every machine makes the same PDF;
the Regular and Bold faces are real (Typst never synthesises bold). Long tables break across
pages with their header repeated (``table.header`` repeats by default; figures are breakable).
The PDF has no creation date, so the same notebook gives the same bytes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from statlib import fonts
from statlib.errors import RenderError
from statlib.render import _pandoc, _typeset
from statlib.render.formats import Document

_MINUS = re.compile(r"-(?=\d)")


def _hyphen_minus(ast: dict[str, Any]) -> dict[str, Any]:
    """Keep ``-1.2`` as written: Typst markup would turn ``-`` before a digit into U+2212, and
    the PDF text would then differ from the HTML, Word and the data."""

    def fix(el: dict[str, Any]) -> list[dict[str, Any]] | dict[str, Any] | None:
        if el["t"] != "Str" or not _MINUS.search(el["c"]):
            return None
        parts: list[dict[str, Any]] = []
        for i, piece in enumerate(_MINUS.split(el["c"])):
            if i:
                parts.append({"t": "RawInline", "c": ["typst", "\\-"]})
            if piece:
                parts.append({"t": "Str", "c": piece})
        return {"t": "Span", "c": [["", [], []], parts]}

    return _pandoc.walk(ast, fix)


def _bold_headers(ast: dict[str, Any]) -> dict[str, Any]:
    """Every header row bold (Typst has no show rule for ``table.header``; the template sets
    ``strong`` in tables to the Sans face)."""

    def fix(el: dict[str, Any]) -> None:
        if el["t"] != "Table":
            return
        for row in el["c"][3][1]:
            for cell in row[1]:
                for block in cell[4]:
                    if block["t"] in ("Plain", "Para") and block["c"]:
                        block["c"] = [{"t": "Strong", "c": block["c"]}]

    return _pandoc.walk(ast, fix)


def typst_ast(
    doc: Document, root: Path | None = None, geometry: _typeset.Geometry = _typeset.PAGE
) -> dict[str, Any]:
    """``doc``'s AST as the Typst writer needs it: images relative to ``root`` (default the
    media folder; Typst reads nothing outside it), period labels and numbers with their unit
    unbreakable, ``-1.2`` kept, header rows bold, tables sized from their content for the
    template's ``geometry`` (``statlib.render._typeset``)."""
    ast = _pandoc.relative_images(doc.body(), root or doc.media)
    ast = _bold_headers(_hyphen_minus(_typeset.keep_together(ast)))
    return _typeset.typeset(ast, geometry)


def typst_source(doc: Document) -> str:
    """The Typst source of ``doc`` (pandoc with the page template)."""
    ast = typst_ast(doc)
    template = _pandoc.templates_dir() / "typst" / "page.typ"
    args = [f"--template={template}", "--wrap=none", f"--variable=color:{doc.masthead.color}"]
    return _pandoc.write(ast, "typst", args, what=f"{doc.notebook.name} → typst").decode()


def compile_pdf(source: str, root: Path, *, what: str) -> bytes:
    """Compile Typst ``source`` with the shipped fonts only; files are read from ``root``."""
    import typst

    main = root / "_page.typ"
    main.write_text(source, encoding="utf-8")
    try:
        pdf: bytes = typst.compile(
            str(main),
            root=str(root),
            format="pdf",
            font_paths=[str(fonts.font_dir())],
            ignore_system_fonts=True,
        )
    except Exception as exc:  # typst raises its own TypstError / RuntimeError
        raise RenderError(f"{what}: typst failed: {exc}") from None
    finally:
        main.unlink(missing_ok=True)
    return pdf


def write_pdf(doc: Document, path: Path) -> None:
    """Write the PDF of ``doc`` at ``path``."""
    fonts.font_files()  # a clear ConfigError when the shipped fonts are missing
    source = typst_source(doc)
    path.write_bytes(compile_pdf(source, doc.media, what=f"{doc.notebook.name} → pdf"))
