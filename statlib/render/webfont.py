"""A page's own web font: the shipped faces subset to exactly the characters of one HTML page.

Every publication page embeds, as ``data:`` URIs in an ``@font-face`` rule per face, the Serif
(body) and Sans (headings, captions, table heads) faces, regular and bold, cut down with fontTools
to the characters the page shows (its text and ``alt``/``title`` attributes) plus printable ASCII.
The page thus reads the same on a machine without any CJK font. The subset is WOFF (zlib: the
Brotli of WOFF2 is not a dependency) and deterministic: the same page gives the same bytes, since
the ``head`` table keeps the shipped font's timestamps. The bounding boxes are not recomputed
(``recalcBBoxes=False``: the full face's bounds still hold for its subset); recomputing them
from every charstring was most of the subsetting time.
"""

from __future__ import annotations

import base64
import html.parser
import io
from pathlib import Path

from fontTools import subset  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from statlib import fonts

__all__ = ["FACES", "font_face_css", "page_text", "subset_woff", "with_web_font"]

# (key of fonts.font_files, CSS family, weight): the faces style.css asks for
FACES = (
    ("serif", fonts.SERIF, 400),
    ("serif-bold", fonts.SERIF, 700),
    ("sans", fonts.SANS, 400),
    ("sans-bold", fonts.SANS, 700),
)
_ASCII = "".join(chr(c) for c in range(0x20, 0x7F))


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in ("alt", "title") and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(page: str) -> str:
    """The characters an HTML page shows: its text (not its styles) and alt/title attributes."""
    parser = _Text()
    parser.feed(page)
    parser.close()
    return "".join(parser.parts)


def subset_woff(font: Path, text: str) -> bytes:
    """``font`` cut down to the characters of ``text`` (and printable ASCII), as WOFF bytes."""
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    face = TTFont(font, recalcTimestamp=False, recalcBBoxes=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text + _ASCII) - {"\n", "\r", "\t"})))
    subsetter.subset(face)
    face.flavor = "woff"
    out = io.BytesIO()
    face.save(out, reorderTables=True)
    return out.getvalue()


def font_face_css(text: str) -> str:
    """One ``@font-face`` rule per face of :data:`FACES`, each a WOFF subset for ``text``."""
    files = fonts.font_files()
    rules = []
    for key, family, weight in FACES:
        data = base64.b64encode(subset_woff(files[key], text)).decode("ascii")
        rules.append(
            f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
            f"font-display: block; "
            f'src: url(data:font/woff;base64,{data}) format("woff"); }}'
        )
    return "\n".join(rules)


def with_web_font(page: bytes) -> bytes:
    """The HTML ``page`` with its subset faces in a ``<style>`` just before ``</head>``."""
    source = page.decode("utf-8")
    css = font_face_css(page_text(source))
    head = source.find("</head>")
    if head < 0:
        return page
    return (source[:head] + "<style>\n" + css + "\n</style>\n" + source[head:]).encode("utf-8")
