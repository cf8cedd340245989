"""HTML: one page from ``templates/html/page.html`` with ``style.css`` inlined, images as data URIs.

The page has no ``<script>`` and nothing active from data: raw markup in the notebook became text
in the Lua filter, and pandoc escapes every text. Tables sit in a horizontally scrolling wrapper;
the text column has a max width and the viewport meta makes it readable on a 375-px phone. In the
prose a figure with its sign and unit, or a period label, never breaks across lines
(``statlib.render.nobreak``). The
page embeds the shipped faces subset to its own characters (``statlib.render.webfont``), so it
shows no missing glyphs on a machine without CJK fonts; ``self_contained`` embeds the whole Sans
faces instead (≈ 4 MB), for text pasted into the page later.
"""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path
from typing import Any

from statlib import fonts
from statlib.errors import RenderError
from statlib.render import _pandoc
from statlib.render.formats import Document
from statlib.render.nobreak import nobreak_ast
from statlib.render.webfont import with_web_font

_MIME = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
}


def data_uri(path: Path) -> str:
    """An image file as a ``data:`` URI (an SVG in ``<img>`` runs no script)."""
    mime = _MIME.get(path.suffix.lower())
    if mime is None:
        raise RenderError(f"unsupported image type {path.suffix!r} ({path.name})")
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _inline_images(ast: dict[str, Any], media: Path) -> dict[str, Any]:
    def fix(el: dict[str, Any]) -> dict[str, Any] | None:
        if el["t"] == "Image":
            attr, caption, (src, title) = el["c"]
            attr[2] = [kv for kv in attr[2] if kv[0] != "png"]
            path = Path(src)
            if path.is_file() and path.resolve().is_relative_to(media.resolve()):
                src = data_uri(path)
            else:  # nothing outside the media folder is read, nothing remote is linked
                src = ""
            return {"t": "Image", "c": [attr, caption, [src, title]]}
        if el["t"] == "Table":
            return {"t": "Div", "c": [["", ["table-wrap"], []], [el]]}
        return None

    return _pandoc.walk(ast, fix)


def _font_face() -> str:
    rules = []
    for key, weight in (("sans", 400), ("sans-bold", 700)):
        data = base64.b64encode(fonts.font_files()[key].read_bytes()).decode("ascii")
        rules.append(
            f'@font-face {{ font-family: "{fonts.SANS}"; font-weight: {weight}; '
            f'src: url(data:font/otf;base64,{data}) format("opentype"); }}'
        )
    body = 'body { font-family: "Statlib Sans SC", "Noto Sans CJK SC", sans-serif; }'
    return "<style>\n" + "\n".join(rules) + "\n" + body + "\n</style>\n"


def write_html(doc: Document, path: Path) -> None:
    """Write the HTML page of ``doc`` at ``path``."""
    # a figure and its unit, a period label, on one line in the prose (tables: their own rules)
    ast = _inline_images(nobreak_ast(doc.body(), tables=True), doc.media)
    template = _pandoc.templates_dir() / "html" / "page.html"
    args = [
        f"--template={template}",
        "--wrap=none",
        "--shift-heading-level-by=1",
        "--syntax-highlighting=none",
        f"--variable=color:{doc.masthead.color}",
    ]
    if doc.toc:
        args += ["--toc", "--toc-depth=3"]
    with tempfile.TemporaryDirectory() as tmp:
        if doc.self_contained:
            header = Path(tmp) / "fonts.html"
            header.write_text(_font_face(), encoding="utf-8")
            args.append(f"--include-in-header={header}")
        out = _pandoc.write(ast, "html5", args, what=f"{doc.notebook.name} → html")
    path.write_bytes(out if doc.self_contained else with_web_font(out))
