"""Word: pandoc with ``templates/docx/reference.docx``; the masthead and footer added as paragraphs.

Headings map to Word's Heading 1–3, tables use the reference's ruled ``Table`` style, images are
the PNG renderings (Word shows SVG unevenly). pandoc has no masthead, so the serial line, the
red series title (``Title``), ``第X期``, the unit/date line with the red rule, the
document title, and the 报/送/发 footer are written into ``word/document.xml`` afterwards, in the
reference document's own paragraph styles (``tools/make_reference_docx.py``); the
classification of an internal copy is the page header, on every page (page 1 included, once).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from statlib.errors import RenderError
from statlib.render import _pandoc
from statlib.render.formats import Document
from statlib.render.frontmatter import Masthead


def reference_docx() -> Path:
    """``templates/docx/reference.docx`` (built by ``tools/make_reference_docx.py``)."""
    path = _pandoc.templates_dir() / "docx" / "reference.docx"
    if not path.is_file():
        raise RenderError(f"{path} is missing: run python tools/make_reference_docx.py")
    return path


def _para(style: str, *runs: str, tab: str | None = None) -> str:
    text = "".join(f'<w:r><w:t xml:space="preserve">{escape(r)}</w:t></w:r>' for r in runs if r)
    if tab is not None:
        text += f'<w:r><w:tab/></w:r><w:r><w:t xml:space="preserve">{escape(tab)}</w:t></w:r>'
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{text}</w:p>'


def masthead_xml(m: Masthead) -> str:
    """The masthead paragraphs (CONVENTIONS §9) in the reference document's styles.

    The classification is not among them: it is the page header of every page of an internal
    copy (:func:`header_xml`), page 1 included, as in the PDF — printed here too, a reader saw
    it twice on page 1. The serial of a controlled copy stays top right of page 1."""
    out = []
    if m.serial:
        out.append(_para("MastheadMarks", "", tab=m.serial))
    if m.red:
        out.append(_para("Title", m.series_title))
        if m.issue_label:
            out.append(_para("MastheadIssue", m.issue_label))
        out.append(_para("MastheadLine", m.unit, tab=m.date_label or ""))
    out.append(_para("DocumentTitle", m.title))
    if m.subtitle:
        out.append(_para("Subtitle", m.subtitle))
    if not m.red:
        if m.issue_label:
            out.append(_para("MastheadIssue", m.issue_label))
        out.append(_para("Subtitle", m.unit + ("\u3000" + m.date_label if m.date_label else "")))
    return "".join(out)


def footer_xml(m: Masthead) -> str:
    """The 版记: 报/送/发 lines left between rules, the number of copies right on the last."""
    lines = list(m.distribution)
    if not lines and not m.copies_label:
        return ""
    lines = lines or [""]
    out = []
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        style = "Distribution"
        if len(lines) == 1:
            style = "DistributionOnly"
        elif i == 0:
            style = "DistributionFirst"
        elif last:
            style = "DistributionLast"
        out.append(_para(style, line, tab=m.copies_label if last and m.copies_label else None))
    return "".join(out)


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_HEADER_REL = "rIdStatlibHeader"
_HEADER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"


def header_xml(classification: str) -> str:
    """A page header with the classification top left: every page of an internal copy."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:hdr xmlns:w="{_W}">{_para("MastheadMarks", classification)}</w:hdr>'
    )


def _add_frame(docx: bytes, m: Masthead) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(docx))
    parts = {info.filename: src.read(info.filename) for info in src.infolist()}
    xml = parts["word/document.xml"].decode("utf-8")
    start = xml.index("<w:body>") + len("<w:body>")
    xml = xml[:start] + masthead_xml(m) + xml[start:]
    end = xml.rindex("<w:sectPr")
    xml = xml[:end] + footer_xml(m) + xml[end:]
    if m.classification:
        sect = xml.index(">", xml.rindex("<w:sectPr")) + 1
        xml = (
            xml[:sect] + f'<w:headerReference w:type="default" r:id="{_HEADER_REL}"/>' + xml[sect:]
        )
        parts["word/header_statlib.xml"] = header_xml(m.classification).encode("utf-8")
        rels = (
            parts["word/_rels/document.xml.rels"]
            .decode("utf-8")
            .replace(
                "</Relationships>",
                f'<Relationship Id="{_HEADER_REL}" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/header" Target="header_statlib.xml"/>'
                "</Relationships>",
            )
        )
        parts["word/_rels/document.xml.rels"] = rels.encode("utf-8")
        types = (
            parts["[Content_Types].xml"]
            .decode("utf-8")
            .replace(
                "</Types>",
                '<Override PartName="/word/header_statlib.xml" '
                f'ContentType="{_HEADER_TYPE}"/></Types>',
            )
        )
        parts["[Content_Types].xml"] = types.encode("utf-8")
    parts["word/document.xml"] = xml.encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)
    return out.getvalue()


def _epoch(m: Masthead) -> int:
    """The publication date as a Unix time (midnight UTC), 0 without a date."""
    match = re.fullmatch(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?", m.date_label or "")
    if not match:
        return 0
    y, mo, d = int(match[1]), int(match[2]), int(match[3] or 1)
    return int(dt.datetime(y, mo, d, tzinfo=dt.UTC).timestamp())


def write_docx(doc: Document, path: Path) -> None:
    """Write the Word document of ``doc`` at ``path``."""
    # the PNG renderings, relative to the media folder (pandoc's working directory)
    ast = _pandoc.relative_images(doc.body(), doc.media, png=True)
    for key in ("title", "subtitle", "date"):  # drawn by masthead_xml instead
        ast["meta"].pop(key, None)
    args = [f"--reference-doc={reference_docx()}"]
    if doc.toc:
        args += ["--toc", "--toc-depth=2"]
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "out.docx"
        _pandoc.write(
            ast,
            "docx",
            [*args, "-o", str(target)],
            what=f"{doc.notebook.name} → docx",
            cwd=doc.media,
            epoch=_epoch(doc.masthead),
        )
        path.write_bytes(_add_frame(target.read_bytes(), doc.masthead))
