"""The multi-page HTML edition: ``index.html`` (cover, 编辑说明, 目录) and one page per chapter.

Every page is ``templates/book/page.html`` filled with ``string.Template``; everything put into it
is escaped here or written by pandoc (which escapes every text). The pages share ``book.css``
(the publication style of ``templates/html/style.css`` plus ``templates/book/book.css``): the
shipped font stack, a navigation bar (previous/next chapter, contents, the chapter list in a
``<details>`` that needs no script), the shipped faces subset to the book's characters
(``statlib.render.webfont``) and a layout that holds on a 375-px phone. Each table keeps
the anchor ``t章-序`` and links to its workbook in ``xlsx/``. No page has a script.
"""

from __future__ import annotations

import string
from html import escape
from pathlib import Path
from typing import Any

from statlib.render import _pandoc
from statlib.render.html import data_uri
from statlib.render.webfont import font_face_css, page_text
from statlib.yearbook._model import TEMPLATES, BookInfo, Part, TableRef

_ARGS = ["--wrap=none", "--shift-heading-level-by=1", "--syntax-highlighting=none"]
Link = tuple[str, str]  # (href, label)


def _page(info: BookInfo, *, title: str, body: str, nav: str, links: str) -> str:
    template = string.Template((TEMPLATES / "page.html").read_text(encoding="utf-8"))
    mark = (
        '<div class="classification">内部资料　注意保存</div>' if info.edition == "internal" else ""
    )
    return template.substitute(
        title=escape(title),
        edition=escape(info.edition),
        mark=mark,
        nav=nav,
        body=body,
        links=links,
    )


def _nav(
    info: BookInfo, parts: list[Part], current: int | None, prev: Link | None, next_: Link | None
) -> str:
    def step(link: Link | None, rel: str, arrow: str) -> str:
        if link is None and current is None:
            return ""  # the index has no chapter before it
        if link is None:
            word = "上一章" if rel == "prev" else "下一章"
            return f'<span class="{rel} off" aria-disabled="true">{word}</span>'
        href, label = link
        text = f"{arrow} {escape(label)}" if rel == "prev" else f"{escape(label)} {arrow}"
        return f'<a class="{rel}" rel="{rel}" href="{href}">{text}</a>'

    items = []
    for p in parts:
        here = ' aria-current="page"' if p.chapter.number == current else ""
        items.append(f'<li><a href="{p.page}"{here}>{escape(p.heading)}</a></li>')
    return (
        '<nav class="booknav" aria-label="年鉴导航">\n'
        f'<a class="home" href="index.html">《{escape(info.full_title)}》</a>\n'
        '<span class="steps">'
        f"{step(prev, 'prev', '‹')}"
        '<a class="contents" href="index.html#contents">目录</a>'
        f"{step(next_, 'next', '›')}</span>\n"
        '<details class="chapters"><summary>篇章</summary>\n<ol>\n'
        + "\n".join(items)
        + "\n</ol>\n</details>\n</nav>"
    )


def _head_links(prev: Link | None, next_: Link | None) -> str:
    out = ['<link rel="contents" href="index.html#contents">']
    if prev:
        out.append(f'<link rel="prev" href="{prev[0]}">')
    if next_:
        out.append(f'<link rel="next" href="{next_[0]}">')
    return "\n".join(out)


def _table_item(ref: TableRef, page: str) -> str:
    en = f' <span class="en">{escape(ref.title_en)}</span>' if ref.title_en else ""
    return (
        f'<li><a href="{page}#{ref.anchor}"><span class="num">{escape(ref.label)}</span> '
        f"{escape(ref.title)}</a>{en} "
        f'<a class="xlsx" href="{ref.xlsx}" title="{escape(ref.label)} Excel">xlsx</a></li>'
    )


def index_page(info: BookInfo, parts: list[Part], editorial_html: str, pdf_name: str) -> str:
    """The cover, 编辑说明 and 目录 (every chapter and every table) of the book."""
    chapters = []
    for p in parts:
        tables = "\n".join(_table_item(r, p.page) for r in p.refs)
        chapters.append(
            f'<li><a class="chapter" href="{p.page}">{escape(p.heading)}</a> '
            f'<span class="en">{escape(p.chapter.title_en)}</span>\n'
            f'<ol class="toc-tables">\n{tables}\n</ol></li>'
        )
    body = (
        '<header class="cover">\n'
        f'<p class="cover-unit">{escape(info.unit)}　编</p>\n'
        f'<h1 class="cover-title">《{escape(info.full_title)}》</h1>\n'
        f'<p class="cover-en">{escape(info.full_title_en)}</p>\n'
        f'<p class="cover-note">收录{info.year}年数据　'
        f'<a class="pdf" href="{escape(pdf_name)}">全书PDF</a></p>\n'
        "</header>\n"
        f'<section id="editorial" class="editorial">\n<h2>编辑说明</h2>\n{editorial_html}\n'
        "</section>\n"
        '<section id="contents" class="contents">\n<h2>目录</h2>\n<ol class="toc-chapters">\n'
        + "\n".join(chapters)
        + "\n</ol>\n</section>"
    )
    first = (parts[0].page, parts[0].heading) if parts else None
    nav = _nav(info, parts, None, None, first)
    return _page(
        info, title=f"《{info.full_title}》", body=body, nav=nav, links=_head_links(None, first)
    )


def _chapter_ast(part: Part) -> dict[str, Any]:
    """The chapter's AST for the page: images inline, each table wrapped with its download."""
    refs = {r.anchor: r for r in part.refs}
    media = part.doc.media.resolve()

    def fix(el: dict[str, Any]) -> dict[str, Any] | None:
        if el["t"] == "Image":
            attr, caption, (src, title) = el["c"]
            attr[2] = [kv for kv in attr[2] if kv[0] != "png"]
            path = Path(src)
            ok = path.is_file() and path.resolve().is_relative_to(media)
            return {"t": "Image", "c": [attr, caption, [data_uri(path) if ok else "", title]]}
        if el["t"] != "Table":
            return None
        blocks = [{"t": "Div", "c": [["", ["table-wrap"], []], [el]]}]
        ref = refs.get(el["c"][0][0])
        if ref is not None:
            words = [{"t": "Str", "c": f"下载{ref.label}（Excel）"}]
            link = {"t": "Link", "c": [["", [], []], words, [ref.xlsx, ""]]}
            para = {"t": "Para", "c": [link]}
            blocks.append({"t": "Div", "c": [["", ["xlsx-link"], []], [para]]})
        return {"t": "Div", "c": [["", ["book-table"], []], blocks]}

    return _pandoc.walk(part.doc.body(), fix)


def chapter_page(info: BookInfo, parts: list[Part], i: int) -> str:
    """Chapter ``parts[i]`` as its page, with the navigation to its neighbours."""
    part = parts[i]
    prev = (parts[i - 1].page, parts[i - 1].heading) if i > 0 else ("index.html", "封面和目录")
    next_ = (parts[i + 1].page, parts[i + 1].heading) if i + 1 < len(parts) else None
    body = _pandoc.write(
        _chapter_ast(part), "html5", _ARGS, what=f"{part.chapter.file} → book page"
    ).decode("utf-8")
    listed = "\n".join(
        f'<li><a href="#{r.anchor}">{escape(r.label)} {escape(r.title)}</a></li>' for r in part.refs
    )
    head = (
        '<header class="chapter-head">\n'
        f"<h1>{escape(part.heading)}</h1>\n"
        f'<p class="en">{escape(part.chapter.title_en)}</p>\n</header>\n'
        f'<nav class="chapter-tables" aria-label="本章表格">\n<p>本章表格</p>\n<ul>\n{listed}\n'
        "</ul>\n</nav>\n"
    )
    nav = _nav(info, parts, part.chapter.number, prev, next_)
    return _page(
        info,
        title=f"{part.heading} - 《{info.full_title}》",
        body=head + "<main>\n" + body + "</main>",
        nav=nav,
        links=_head_links(prev, next_),
    )


def markdown_to_html(text: str, *, what: str) -> str:
    """A Markdown fragment as an HTML fragment (raw HTML in it stays text)."""
    args = ["-f", "markdown-raw_html-raw_tex", "-t", "html5", "--wrap=none"]
    return _pandoc.run(args, text.encode("utf-8"), what=what).decode("utf-8")


def write_site(
    info: BookInfo, parts: list[Part], editorial_md: str, target: Path, pdf_name: str
) -> list[Path]:
    """Write ``book.css``, ``index.html`` and ``NN.html`` into ``target``; returns the pages."""
    editorial_html = markdown_to_html(editorial_md, what="编辑说明")
    texts = {"index.html": index_page(info, parts, editorial_html, pdf_name)}
    for i, part in enumerate(parts):
        texts[part.page] = chapter_page(info, parts, i)
    css = (_pandoc.templates_dir() / "html" / "style.css").read_text(encoding="utf-8")
    css += "\n" + (TEMPLATES / "book.css").read_text(encoding="utf-8")
    # the shipped faces subset to the characters of all the pages: no tofu without CJK fonts
    css += "\n" + font_face_css("".join(page_text(t) for t in texts.values())) + "\n"
    (target / "book.css").write_text(css, encoding="utf-8")
    pages = []
    for name, text in texts.items():
        (target / name).write_text(text, encoding="utf-8")
        pages.append(target / name)
    return pages
