"""The pages of the site: the page shell, the index, a page per publication, the calendar.

Every text from data (titles, names, labels) is escaped here with ``html.escape``; every link is
built from slugs and codes, never from a label. Pages carry no inline script or style (the
Content-Security-Policy in ``templates/site/page.html`` forbids them).
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from string import Template
from typing import Any

from statlib import config, periods
from statlib import series as series_registry
from statlib.fsio import slug
from statlib.registry import Publication

__all__ = [
    "FORMATS",
    "SITE_TITLE",
    "calendar_page",
    "esc",
    "index_page",
    "page",
    "pub_path",
    "publication_page",
    "series_title",
]

SITE_TITLE = "云川市统计局 统计发布"
FOOTER = "云川市统计局 · 本站为静态网站，数据库检索在浏览器中离线完成。"
# File suffix → the name readers know it by.
FORMATS = {
    ".html": "网页版 HTML",
    ".pdf": "PDF",
    ".docx": "Word",
    ".xlsx": "Excel XLSX",
    ".csv": "CSV",
    ".zip": "压缩包",
}


def esc(text: object) -> str:
    """Text as HTML text (quotes too): a label never becomes markup."""
    return html.escape("" if text is None else str(text), quote=True)


def _template() -> Template:
    path = config.templates_dir() / "site" / "page.html"
    return Template(path.read_text(encoding="utf-8"))


def page(title: str, body: str, *, root: str, scripts: Sequence[str] = ()) -> str:
    """One page in the shell; ``root`` is the relative way back to the site root (``../``)."""
    tags = "\n".join(f'<script src="{esc(s)}"></script>' for s in scripts)
    return _template().substitute(
        title=esc(title),
        site=esc(SITE_TITLE),
        root=root,
        body=body,
        scripts=tags,
        footer=esc(FOOTER),
    )


def series_title(series: str) -> str:
    """The Chinese title of a series (``《统计资讯》``) from its template; the name otherwise."""
    found = series_registry.find(series)
    return found.title if found is not None else series


def pub_slug(pub: Publication) -> str:
    no = f"s{pub.issue:02d}" if pub.supplement else f"{pub.issue:02d}"
    return f"{slug(pub.series)}-{pub.year}-{no}"


def pub_path(pub: Publication) -> str:
    """Site-relative path of the publication's page."""
    return f"pub/{pub_slug(pub)}.html"


def _name(pub: Publication) -> str:
    return f"《{series_title(pub.series)}》{pub.year}年{pub.number}"


def _when(value: Any) -> str:
    return "" if value is None else f"{value:%Y-%m-%d %H:%M}"


def index_page(pubs: Sequence[Publication], *, yearbooks: Sequence[tuple[str, str]]) -> str:
    """The front page: publications by period (newest first) and by series; the yearbook."""
    by_period: dict[str, list[Publication]] = defaultdict(list)
    by_series: dict[str, list[Publication]] = defaultdict(list)
    for pub in pubs:
        by_period[pub.period].append(pub)
        by_series[pub.series].append(pub)
    parts = [
        f"<h1>{esc(SITE_TITLE)}</h1>",
        '<p class="meta">按报告期和按刊物浏览已发布的统计资料；'
        '<a href="calendar.html">发布日程</a> 公布全年发布时间；'
        '<a href="data/index.html">宏观经济数据库</a> 提供指标数据下载。</p>',
    ]
    if yearbooks:
        items = "".join(
            f'<li><a href="{esc(href)}">{esc(text)}</a></li>' for text, href in yearbooks
        )
        parts.append(f'<h2 id="yearbook">统计年鉴电子版</h2><ul class="list">{items}</ul>')
    parts.append('<h2 id="by-period">按报告期</h2>')
    if not pubs:
        parts.append("<p>尚无已发布的刊物。</p>")
    for period in sorted(
        by_period, key=lambda p: (periods.parse(p).year, periods.parse(p).last_month), reverse=True
    ):
        label = periods.label(period, with_year=True)
        items = "".join(_item(p) for p in sorted(by_period[period], key=_order))
        parts.append(f'<h3>{esc(label)}</h3><ul class="list">{items}</ul>')
    parts.append('<h2 id="by-series">按刊物</h2>')
    for series in sorted(by_series):
        items = "".join(_item(p) for p in sorted(by_series[series], key=_order, reverse=True))
        parts.append(f'<h3>《{esc(series_title(series))}》</h3><ul class="list">{items}</ul>')
    return page(SITE_TITLE, "\n".join(parts), root="")


def _order(pub: Publication) -> tuple[Any, ...]:
    return (pub.series, pub.year, pub.supplement, pub.issue)


def _item(pub: Publication) -> str:
    return (
        f'<li><a href="{esc(pub_path(pub))}">{esc(_name(pub))}</a> '
        f'<span class="meta">{esc(pub.title)}</span></li>'
    )


def publication_page(pub: Publication, region_names: dict[str, str]) -> str:
    """A publication: its identity, and every file with format, size and SHA-256 checksum."""
    rows = []
    for rel, entry in sorted(pub.files.items(), key=lambda kv: _file_order(kv[0])):
        path = Path(rel)
        fmt = FORMATS.get(path.suffix.lower(), path.suffix.lstrip(".").upper() or "文件")
        region = region_names.get(entry.get("region") or "", entry.get("region") or "")
        rows.append(
            f"<tr><td>{esc(region or '—')}</td><td>{esc(fmt)}</td>"
            f'<td><a href="../{esc(rel)}">{esc(path.name)}</a></td>'
            f'<td class="n">{_size(int(entry["bytes"]))}</td>'
            f'<td><code class="sha">{esc(entry["sha256"])}</code></td></tr>'
        )
    table = (
        '<div class="scroll"><table><thead><tr><th>地区</th><th>格式</th><th>文件</th>'
        "<th>大小</th><th>SHA-256 校验码</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div>"
    )
    meta = (
        f'<p class="meta">报告期：{esc(periods.label(pub.period, with_year=True))}'
        f"　发布时间：{esc(_when(pub.updated_at))}</p>"
    )
    body = (
        f"<h1>{esc(_name(pub))}</h1><p>{esc(pub.title)}</p>{meta}"
        f"<h2>下载</h2>{table}"
        '<p class="hint">下载后可用 <code>sha256sum 文件名</code> 核对校验码。</p>'
    )
    return page(f"{_name(pub)} — {SITE_TITLE}", body, root="../")


def _file_order(rel: str) -> tuple[str, int, str]:
    path = Path(rel)
    order = list(FORMATS).index(path.suffix) if path.suffix in FORMATS else len(FORMATS)
    return (str(path.parent), order, path.name)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def calendar_page(
    calendars: Iterable[tuple[int, Any]], published: set[tuple[str, int, bool, int]]
) -> str:
    """The release calendar: per year, each public issue with its release time and state."""
    parts = [
        "<h1>统计信息发布日程</h1>",
        '<p class="meta">按《中华人民共和国统计法》，统计资料在公布时间之前不得对外提供。</p>',
    ]
    for year, frame in calendars:
        rows = []
        for r in frame.to_dict("records"):
            done = (r["series"], year, bool(r["supplement"]), int(r["issue"])) in published
            release = r["release"]
            when = "待定" if release is None or str(release) == "NaT" else _when(release)
            rows.append(
                f"<tr><td>{esc(when)}</td><td>《{esc(series_title(r['series']))}》</td>"
                f"<td>{esc(r['number'])}</td><td>{esc(r['period_label'])}</td>"
                f"<td>{esc(r['title'])}</td><td>{'已发布' if done else '待发布'}</td></tr>"
            )
        body = "".join(rows) or '<tr><td colspan="6">本年尚无发布安排。</td></tr>'
        parts.append(
            f'<h2>{year}年</h2><div class="scroll"><table><thead><tr><th>发布时间</th>'
            "<th>刊物</th><th>期号</th><th>报告期</th><th>标题</th><th>状态</th></tr>"
            f"</thead><tbody>{body}</tbody></table></div>"
        )
    return page(f"发布日程 — {SITE_TITLE}", "\n".join(parts), root="")
