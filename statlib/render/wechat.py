"""The WeChat copy: one HTML fragment for the public-account editor, inline styles only.

``to_wechat`` rewrites the HTML5 body that pandoc writes from the AST: every element gets a
``style`` attribute (mobile typography: 15px, line-height 1.75, headings with a coloured left
border, bordered tables with a shaded header, numbers right-aligned, wide tables in an
``overflow-x:auto`` wrapper); no ``<style>``, ``class``, ``id``, script, link or font is written;
images become ``data:`` URIs (PNG preferred: an SVG with a PNG beside it or in pandoc's ``png``
attribute uses the PNG). It is an allow-list transformer on ``html.parser``: input attributes
are dropped (only ``src``, ``alt``, ``href``, spans, alignment are read), links become text
(WeChat drops outside links) and any other tag — ``<script>``, ``<iframe>``, ``<object>``,
``<embed>``, ``<form>``, an ``<img>`` with an ``on…`` handler — is written back as escaped
text, so a data label stays a label. A figure with its sign and unit (``4.8%``,
``-0.3个百分点``) and a period label (``1—10月``) sit in ``white-space:nowrap`` spans: a phone
never breaks ``增长4.`` / ``8%``. :func:`write_wechat` writes the fragment inside a page with a
viewport meta, the date (``2023年12月15日``) under the title.

>>> out = to_wechat("<h1>一、总体</h1><p>增长<strong>7.2%</strong><script>x()</script></p>")
>>> out.split("</strong>")[1]
'&lt;script&gt;x()&lt;/script&gt;</p></section>\\n'
"""

from __future__ import annotations

import base64
import binascii
import re
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

from statlib.errors import InputError
from statlib.render import _pandoc
from statlib.render.formats import Document
from statlib.render.nobreak import NOWRAP
from statlib.render.nobreak import split as _runs

__all__ = ["ACCENT", "page", "to_wechat", "write_wechat"]

ACCENT = "#c00000"
_FONT = "-apple-system,BlinkMacSystemFont,PingFang SC,Hiragino Sans GB,Microsoft YaHei,sans-serif"
_BORDER = "1px solid #d0d7de"
_STYLE = {
    "root": f"font-size:15px;line-height:1.75;letter-spacing:0.5px;color:#333333;"
    f"font-family:{_FONT};overflow-wrap:break-word;padding:0 4px",
    "title": f"font-size:20px;font-weight:bold;line-height:1.5;text-align:center;"
    f"color:{ACCENT};margin:8px 0 6px",
    "date": "font-size:14px;color:#888888;text-align:center;margin:0 0 20px",
    "nowrap": NOWRAP,
    "p": "margin:0 0 16px;text-align:justify",
    "h1": f"font-size:18px;font-weight:bold;line-height:1.5;margin:28px 0 14px;"
    f"padding-left:10px;border-left:4px solid {ACCENT}",
    "h2": f"font-size:17px;font-weight:bold;line-height:1.5;margin:24px 0 12px;"
    f"padding-left:8px;border-left:3px solid {ACCENT}",
    "h3": "font-size:16px;font-weight:bold;line-height:1.5;margin:20px 0 10px",
    "strong": "font-weight:bold;color:#222222",
    "em": "font-style:italic",
    "u": "text-decoration:underline",
    "s": "text-decoration:line-through",
    "sup": "font-size:11px;vertical-align:super;line-height:0",
    "sub": "font-size:11px;vertical-align:sub;line-height:0",
    "span": "color:inherit",
    "link": "color:#576b95",
    "url": "color:#888888;font-size:13px;word-break:break-all",
    "code": "font-family:Menlo,Consolas,monospace;font-size:13px;background:#f6f8fa;"
    "padding:1px 4px;border-radius:3px",
    "pre": "font-family:Menlo,Consolas,monospace;font-size:13px;line-height:1.5;"
    "background:#f6f8fa;padding:10px;margin:0 0 16px;overflow-x:auto;white-space:pre",
    "blockquote": "margin:0 0 16px;padding:8px 12px;border-left:3px solid #dddddd;color:#666666",
    "ul": "margin:0 0 16px;padding-left:22px;list-style-type:disc",
    "ol": "margin:0 0 16px;padding-left:22px;list-style-type:decimal",
    "li": "margin:0 0 6px",
    "hr": "border:0;border-top:1px solid #dddddd;margin:20px 0",
    "section": "margin:0 0 16px",
    "wrap": "overflow-x:auto;margin:0 0 16px",
    "caption": "font-size:14px;font-weight:bold;text-align:center;margin:0 0 8px",
    "table": "border-collapse:collapse;min-width:100%;font-size:13px;line-height:1.5",
    "tr": "border:0",
    "th": f"border:{_BORDER};background:#eef2f7;padding:6px 8px;font-weight:bold;"
    f"white-space:nowrap",
    "td": f"border:{_BORDER};padding:6px 8px",
    "figure": "margin:0 0 16px;text-align:center",
    "figcaption": "font-size:13px;color:#666666;text-align:center;margin:6px 0 0",
    "img": "display:block;max-width:100%;height:auto;margin:0 auto",
}
# input tag → (output tag, style key); table parts keep their tags
_TAGS = {
    "p": ("p", "p"),
    "h1": ("h2", "h1"),
    "h2": ("h3", "h2"),
    "h3": ("h4", "h3"),
    "h4": ("p", "h3"),
    "h5": ("p", "h3"),
    "h6": ("p", "h3"),
    "strong": ("strong", "strong"),
    "b": ("strong", "strong"),
    "em": ("em", "em"),
    "i": ("em", "em"),
    "u": ("u", "u"),
    "s": ("s", "s"),
    "del": ("s", "s"),
    "sup": ("sup", "sup"),
    "sub": ("sub", "sub"),
    "span": ("span", "span"),
    "small": ("span", "span"),
    "mark": ("span", "strong"),
    "code": ("code", "code"),
    "pre": ("pre", "pre"),
    "blockquote": ("blockquote", "blockquote"),
    "ul": ("ul", "ul"),
    "ol": ("ol", "ol"),
    "li": ("li", "li"),
    "dl": ("section", "section"),
    "dt": ("p", "strong"),
    "dd": ("p", "p"),
    "div": ("section", "section"),
    "section": ("section", "section"),
    "aside": ("section", "section"),
    "header": ("section", "section"),
    "footer": ("section", "section"),
    "article": ("section", "section"),
    "main": ("section", "section"),
    "figure": ("section", "figure"),
    "figcaption": ("p", "figcaption"),
    "table": ("table", "table"),
    "thead": ("thead", "tr"),
    "tbody": ("tbody", "tr"),
    "tfoot": ("tfoot", "tr"),
    "tr": ("tr", "tr"),
    "th": ("th", "th"),
    "td": ("td", "td"),
    "caption": ("p", "caption"),
}
_VOID = {"br", "hr", "img", "col", "wbr"}
_SILENT = {"colgroup", "col", "wbr", "a"}  # dropped as tags; <a>'s content is kept
_NUMBER = re.compile(r"^\s*[-+−]?[\d*][\d*,.]*\s*[%‰]?\s*$|^\s*[…—-]\s*$")
_SPACE = re.compile(r"\s+")
_DATA = re.compile(r"^data:image/(png|jpeg|gif);base64,([A-Za-z0-9+/=\s]+)$", re.I)
_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg", b"GIF8": "gif"}


class _Node:
    __slots__ = ("attrs", "children", "tag")

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[_Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _Builder(HTMLParser):
    """A tree of allowed elements; everything else is kept as text."""

    def __init__(self, media_dir: Path | None) -> None:
        super().__init__(convert_charrefs=True)
        self.media_dir = media_dir
        self.root = _Node("root", {})
        self.stack = [self.root]
        self.texted: list[str] = []  # open tags written as text (their end tags too)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        hostile = any(k.startswith("on") for k in values) or any(
            "javascript:" in _SPACE.sub("", v.lower()) for v in values.values()
        )
        if tag in _SILENT and not hostile:
            if tag == "a":
                self._open("a", {"href": values.get("href", "")})
            return
        if tag == "br" and not hostile:
            self.stack[-1].children.append(_Node("br", {}))
        elif tag in ("img", "hr") and not hostile:
            node = _Node(tag, self._image(values) if tag == "img" else {})
            self.stack[-1].children.append(node)
        elif tag in _TAGS and not hostile:
            keep = {
                k: v
                for k, v in values.items()
                if k in ("colspan", "rowspan", "start") and v.isdigit()
            }
            align = re.search(r"text-align:\s*(left|right|center)", values.get("style", ""))
            keep |= {"align": align.group(1)} if align else {}
            self._open(tag, keep)
        else:
            self.stack[-1].children.append(self.get_starttag_text() or f"<{tag}>")
            if tag not in _VOID:
                self.texted.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in self.texted and tag not in _VOID:
            self.texted.remove(tag)
        elif tag not in _VOID and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.texted:
            self.texted.reverse()
            self.texted.remove(tag)
            self.texted.reverse()
            self.stack[-1].children.append(f"</{tag}>")
            return
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def _open(self, tag: str, attrs: dict[str, str]) -> None:
        node = _Node(tag, attrs)
        self.stack[-1].children.append(node)
        self.stack.append(node)

    def _image(self, attrs: dict[str, str]) -> dict[str, str]:
        src = attrs.get("data-png") or attrs.get("png") or attrs.get("src", "")
        return {"src": _data_uri(src, self.media_dir), "alt": attrs.get("alt", "")}


def _data_uri(src: str, media_dir: Path | None) -> str:
    """``src`` as a PNG/JPEG/GIF data URI; a file must lie inside ``media_dir``."""
    found = _DATA.match(src.strip())
    if found:
        try:
            data = base64.b64decode(found.group(2), validate=False)
        except binascii.Error:
            raise InputError(f"image {src[:40]!r}…: invalid base64 data") from None
    elif src.lower().startswith("data:image/svg"):
        raise InputError(
            "an SVG image cannot go to WeChat",
            hint="give the chart's PNG (statlib.charts.to_png) with the SVG",
        )
    else:
        data = _read_media(unquote(src), media_dir)
    kind = next((k for magic, k in _MAGIC.items() if data.startswith(magic)), None)
    if kind is None:
        raise InputError(
            f"image {src[:60]!r} is not PNG, JPEG or GIF",
            hint="WeChat needs raster images; give the chart's PNG",
        )
    return f"data:image/{kind};base64," + base64.b64encode(data).decode("ascii")


def _read_media(src: str, media_dir: Path | None) -> bytes:
    if media_dir is None or "://" in src or src.startswith("//"):
        raise InputError(
            f"image {src!r} is not inside the media folder",
            hint="pass media_dir, or give the image as a data: URI",
        )
    root = media_dir.resolve()
    path = Path(src) if Path(src).is_absolute() else root / src
    if path.suffix.lower() == ".svg" and path.with_suffix(".png").is_file():
        path = path.with_suffix(".png")
    path = path.resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise InputError(f"image {src!r} not found in {media_dir}", file=src)
    return path.read_bytes()


def _style(key: str, extra: str = "") -> str:
    return f' style="{escape(_STYLE[key] + extra)}"'


def _text(text: str) -> str:
    """Escaped prose; a figure with its sign and unit, a period label, in a nowrap span."""
    return "".join(
        f"<span{_style('nowrap')}>{escape(run, quote=False)}</span>"
        if keep
        else escape(run, quote=False)
        for run, keep in _runs(_SPACE.sub(" ", text))
    )


def _render(node: _Node | str, pre: bool = False) -> str:
    if isinstance(node, str):
        return escape(node, quote=False) if pre else _text(node)
    tag, inner_pre = node.tag, pre or node.tag in ("pre", "code")
    inner = "".join(_render(c, inner_pre) for c in node.children)
    if tag == "br":
        return "<br>"
    if tag == "hr":
        return f"<hr{_style('hr')}>"
    if tag == "img":
        alt = escape(node.attrs["alt"])
        return f'<img src="{node.attrs["src"]}" alt="{alt}"{_style("img")}>'
    if tag == "a":
        href = node.attrs["href"]
        if href.startswith("#fnref"):  # pandoc's footnote back-link ↩
            return ""
        shown = f"<span{_style('link')}>{inner}</span>"
        if href.startswith(("http://", "https://")) and href != node.text().strip():
            shown += f"<span{_style('url')}>（{escape(href)}）</span>"
        return shown if inner.strip() else ""
    out_tag, key = _TAGS[tag]
    if tag in ("th", "td"):
        align = node.attrs.get("align") or ("right" if _NUMBER.match(node.text()) else "")
        spans = "".join(
            f' {k}="{node.attrs[k]}"' for k in ("colspan", "rowspan") if k in node.attrs
        )
        style = _style(key, f";text-align:{align}" if align else "")
        return f"<{tag}{spans}{style}>{inner}</{tag}>"
    start = f' start="{node.attrs["start"]}"' if tag == "ol" and "start" in node.attrs else ""
    html = f"<{out_tag}{start}{_style(key)}>{inner}</{out_tag}>"
    if tag == "table":
        caption = "".join(
            _render(c) for c in node.children if isinstance(c, _Node) and c.tag == "caption"
        )
        body = "".join(
            _render(c) for c in node.children if not (isinstance(c, _Node) and c.tag == "caption")
        )
        html = f"{caption}<section{_style('wrap')}><table{_style('table')}>{body}</table></section>"
    return html


def _blank(node: _Node | str, parent: str) -> bool:
    """Whitespace between block elements (pandoc's newlines) is dropped."""
    return (
        isinstance(node, str)
        and not node.strip()
        and parent
        in (
            "root",
            "table",
            "thead",
            "tbody",
            "tfoot",
            "tr",
            "ul",
            "ol",
            "section",
            "div",
            "figure",
            "aside",
            "blockquote",
            "dl",
        )
    )


def _prune(node: _Node) -> None:
    node.children = [c for c in node.children if not _blank(c, node.tag)]
    for child in node.children:
        if isinstance(child, _Node):
            _prune(child)


def to_wechat(html: str, media_dir: Path | None = None, *, title: str = "", date: str = "") -> str:
    """One self-contained fragment for the WeChat editor from pandoc's HTML5 body.

    Images are read from ``media_dir`` (never outside it) or taken from ``data:`` URIs; an SVG
    without its PNG, a missing or remote image raise :class:`InputError`.

    >>> out = to_wechat("<table><tr><td>&lt;script&gt;</td><td>12.5</td></tr></table>")
    >>> "&lt;script&gt;" in out and "text-align:right" in out and "<script" not in out
    True
    """
    builder = _Builder(media_dir)
    builder.feed(html)
    builder.close()
    _prune(builder.root)
    body = "".join(_render(c) for c in builder.root.children)
    head = f"<h1{_style('title')}>{_text(title)}</h1>" if title else ""
    if date:  # under the title (CONVENTIONS §9: Arabic numerals, 2023年12月15日)
        head += f"<p{_style('date')}>{_text(date)}</p>"
    return f"<section{_style('root')}>{head}{body}</section>\n"


def page(fragment: str, title: str) -> str:
    """The fragment as a page a phone opens as it is (charset and viewport; the editor takes
    the ``<section>`` inside ``<body>``)."""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title, quote=False)}</title>\n</head>\n<body>\n{fragment}</body>\n"
        "</html>\n"
    )


def write_wechat(doc: Document, path: Path) -> None:
    """The ``wechat`` format of ``statlib render``: pandoc's HTML5 body through ``to_wechat``."""
    html = _pandoc.write(doc.body(), "html5", ["--wrap=none"], what=f"{doc.notebook.name} → wechat")
    m = doc.masthead
    text = to_wechat(html.decode("utf-8"), doc.media, title=m.title, date=m.date_label or "")
    path.write_text(page(text, m.title), encoding="utf-8")
