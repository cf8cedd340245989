"""Render an executed notebook as the publication it is: HTML, PDF (Typst), Word, WeChat.

>>> from statlib.render import render
>>> render("outputs/run/bulletin.ipynb", ["html", "pdf"], edition="internal")  # doctest: +SKIP
{'html': PosixPath('outputs/preview/bulletin/bulletin.internal.html'), 'pdf': ...}

The notebook is read once (front matter in Python, the body by pandoc through the Lua filters in
``templates/filters/``), the edition hook edits the AST, then each format's writer runs from that
AST: ``html`` (``templates/html/``), ``pdf`` (``templates/typst/`` + Typst with the shipped fonts
only), ``docx`` (``templates/docx/reference.docx``) and what else is registered
(:func:`register_format`). The series template (``templates/series/<series>.yaml``) gives the
masthead. Files are staged beside their target and renamed into place: a failed render leaves
no half-written file.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from statlib.errors import RenderError
from statlib.render.docx import write_docx
from statlib.render.formats import Document, Format, Writer, formats, register_format
from statlib.render.frontmatter import FrontMatter, Masthead, known_series
from statlib.render.html import write_html, write_wechat
from statlib.render.pdf import write_pdf
from statlib.render.reader import read

__all__ = [
    "DEFAULT_FORMATS",
    "Document",
    "Format",
    "FrontMatter",
    "Masthead",
    "Writer",
    "default_out",
    "formats",
    "known_series",
    "read",
    "register_format",
    "render",
]

DEFAULT_FORMATS = ("html", "pdf", "docx")

register_format("html", write_html, ".html")
register_format("pdf", write_pdf, ".pdf")
register_format("docx", write_docx, ".docx")
register_format("wechat", write_wechat, ".wechat.html")


def slug(text: str) -> str:
    """A file-name-safe slug: word characters (Chinese included), ``-`` and ``_``."""
    s = re.sub(r"[^\w\-]+", "-", text, flags=re.UNICODE).strip("-._").lower()
    return s or "document"


def default_out(notebook: str | Path) -> Path:
    """``outputs/preview/<notebook stem>/``."""
    return Path("outputs") / "preview" / slug(Path(notebook).stem)


def _inside(path: Path, root: Path) -> Path:
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise RenderError(f"refusing to write {path}: outside the output folder {root}")
    return resolved


def render(
    notebook: str | Path,
    to: Sequence[str] = DEFAULT_FORMATS,
    *,
    edition: str | None = None,
    out: Path | None = None,
    self_contained: bool = False,
) -> dict[str, Path]:
    """Render an executed notebook into ``out``; returns the written file of each format.

    ``edition`` (``internal``/``public``/``masked``) defaults to the front matter's, then the
    series'. Files are named ``<notebook stem>.<edition><suffix>`` (``bulletin.internal.html``).
    ``self_contained`` embeds the shipped fonts in the HTML page too.
    """
    path = Path(notebook)
    names = [t.strip().lower() for t in ([to] if isinstance(to, str) else to) if t.strip()]
    if not names:
        raise RenderError("no output format given; use html, pdf, docx or wechat")
    chosen = [formats.get(n) for n in dict.fromkeys(names)]
    target = Path(out) if out is not None else default_out(path)
    with tempfile.TemporaryDirectory(prefix="statlib-render-") as tmp:
        doc = read(path, Path(tmp) / "media", edition=edition, self_contained=self_contained)
        target.mkdir(parents=True, exist_ok=True)
        stem = f"{slug(path.stem)}.{slug(doc.masthead.edition)}"
        written: dict[str, Path] = {}
        for fmt in chosen:
            final = _inside(target / f"{stem}{fmt.suffix}", target)
            fd, staged_name = tempfile.mkstemp(prefix=f".{final.name}.", dir=final.parent)
            os.close(fd)
            staged = Path(staged_name)
            try:
                fmt.write(doc, staged)
                staged.chmod(0o644)
                os.replace(staged, final)
            finally:
                staged.unlink(missing_ok=True)
            written[fmt.name] = final
    return written
