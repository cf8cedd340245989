"""The WeChat copy from real pandoc output: inline styles only, images inlined, labels as text."""

from __future__ import annotations

import base64
import re
import subprocess
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pypandoc
import pytest
from matplotlib.figure import Figure

from statlib.charts import to_png, to_svg
from statlib.errors import InputError
from statlib.render.wechat import to_wechat
from statlib.tables import Table, col, group

PANDOC = str(pypandoc.get_pandoc_path())
HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)"]
DANGEROUS = {"script", "style", "link", "iframe", "object", "embed", "form", "meta", "base", "svg"}


class Parsed(HTMLParser):
    """Elements (tag, attrs), the text, and the table cells in order."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.cells: list[str] = []
        self._cell: list[str] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def html5(markdown: str) -> str:
    return subprocess.run(
        [PANDOC, "-f", "markdown", "-t", "html5"],
        input=markdown.encode(),
        capture_output=True,
        check=True,
    ).stdout.decode()


def chart() -> Figure:
    fig = Figure(figsize=(4, 3))
    fig.subplots().bar(["Q1", "Q2"], [5.2, 6.1])
    return fig


@pytest.fixture()
def media(tmp_path: Path) -> Path:
    fig = chart()
    (tmp_path / "chart.png").write_bytes(to_png(fig, dpi=50))
    (tmp_path / "chart.svg").write_text(to_svg(fig), encoding="utf-8")
    return tmp_path


def document() -> str:
    table = (
        Table("表1 主要经济指标")
        .columns(group("1—11月", "绝对量", col("同比增长(%)", 1)))
        .row("社会消费品零售总额", [42505.123, -5.44], unit="亿元", decimals=2)
        .row(HOSTILE[0], [1.0, 2.0], unit="亿元")
        .row(HOSTILE[1], [3.0, 4.0], unit="亿元")
        .row(HOSTILE[2], [5.0, 6.0], unit="万人")
    )
    return (
        "# 一、总体情况\n\n全市经济**稳中有进**，地区生产总值增长*5.2%*。\n\n"
        "## （一）工业\n\n第二段[^1]，见[网站](https://tjj.example.cn/)。\n\n"
        "[^1]: 注释。\n\n![图1 工业增加值增速](chart.png)\n\n" + table.to_pandoc()
    )


@pytest.fixture()
def wechat(media: Path) -> tuple[str, str]:
    source = html5(document())
    return source, to_wechat(source, media, title="2023年1—11月全市经济运行情况")


def test_inline_styles_only(wechat: tuple[str, str]) -> None:
    _, out = wechat
    for needle in ("<style", "<script", "<link", "class=", "@font-face", " id=", "<iframe"):
        assert needle not in out
    parsed = Parsed(out)
    assert len(parsed.elements) > 40
    for tag, attrs in parsed.elements:
        assert tag not in DANGEROUS
        assert tag == "br" or attrs.get("style"), tag
        assert set(attrs) <= {"style", "src", "alt", "colspan", "rowspan", "start"}, attrs
        assert not any("javascript:" in v for v in attrs.values())


def test_typography(wechat: tuple[str, str]) -> None:
    _, out = wechat
    elements = Parsed(out).elements
    root = elements[0][1]["style"]
    assert elements[0][0] == "section" and "font-size:15px" in root and "line-height:1.75" in root
    assert elements[1] == ("h1", elements[1][1])
    assert "2023年1—11月" in re.sub(r"<[^>]+>", "", out[:1000])
    headings = [a["style"] for t, a in elements if t in ("h2", "h3")]
    assert len(headings) == 2 and all("border-left" in s for s in headings)
    assert any("overflow-x:auto" in a["style"] for t, a in elements if t == "section")
    assert all("background" in a["style"] for t, a in elements if t == "th")
    tds = [a["style"] for t, a in elements if t == "td"]
    assert all("border:1px solid" in s and "padding" in s for s in tds)
    assert sum("text-align:right" in s for s in tds) == 8  # the number cells
    assert "<strong" in out and "<em" in out and "（https://tjj.example.cn/）" in out


def test_images_inlined_as_png(wechat: tuple[str, str]) -> None:
    _, out = wechat
    images = [a for t, a in Parsed(out).elements if t == "img"]
    assert len(images) == 1
    src = images[0]["src"]
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG")


def test_tables_keep_cell_text_in_order(wechat: tuple[str, str]) -> None:
    source, out = wechat
    assert Parsed(out).cells == Parsed(source).cells
    assert Parsed(out).cells[5:8] == ["社会消费品零售总额", "亿元", "42505.12"]


def test_hostile_labels_stay_text(wechat: tuple[str, str]) -> None:
    _, out = wechat
    text = "".join(Parsed(out).text)
    for label in HOSTILE:
        assert label in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "onerror" not in "".join(k for _, a in Parsed(out).elements for k in a)


def test_raw_markup_becomes_text(media: Path) -> None:
    raw = (
        "<p>甲<script>alert(1)</script><img src=x onerror=alert(1)>"
        '<a href="javascript:alert(1)">点</a><iframe src="https://e.x/"></iframe>'
        '<form action="/x"><input name=a></form><object data=x></object>'
        "<embed src=x><link rel=stylesheet href=x><style>p{}</style>"
        '<span onclick="x()">乙</span></p>'
    )
    out = to_wechat(raw, media)
    parsed = Parsed(out)
    assert {t for t, _ in parsed.elements} <= {"section", "p"}
    assert all(set(a) == {"style"} for _, a in parsed.elements)
    text = "".join(parsed.text)
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text
    assert '<a href="javascript:alert(1)">' in text and "<iframe" in text


def test_deterministic(media: Path, wechat: tuple[str, str]) -> None:
    source, out = wechat
    assert to_wechat(source, media, title="2023年1—11月全市经济运行情况") == out


def test_svg_prefers_png(media: Path) -> None:
    out = to_wechat('<figure><img src="chart.svg" alt="图1"></figure>', media)
    assert 'src="data:image/png;base64,' in out
    pipeline = f'<img src="{media}/chart.svg" data-png="{media}/chart.png">'
    assert 'src="data:image/png;base64,' in to_wechat(pipeline, media)
    (media / "chart.png").unlink()
    with pytest.raises(InputError, match="not PNG"):
        to_wechat('<img src="chart.svg">', media)
    svg = base64.b64encode(b"<svg/>").decode()
    with pytest.raises(InputError, match="SVG"):
        to_wechat(f'<img src="data:image/svg+xml;base64,{svg}">', media)


@pytest.mark.parametrize("src", ["missing.png", "../outside.png", "https://e.x/a.png", "/etc/x"])
def test_images_stay_inside_media(media: Path, src: str) -> None:
    (media.parent / "outside.png").write_bytes((media / "chart.png").read_bytes())
    with pytest.raises(InputError):
        to_wechat(f'<img src="{src}">', media)


def test_data_uri_passes(media: Path) -> None:
    data = base64.b64encode((media / "chart.png").read_bytes()).decode()
    out = to_wechat(f'<p><img src="data:image/png;base64,{data}" alt="a&quot;b"></p>')
    assert f'src="data:image/png;base64,{data}"' in out and 'alt="a&quot;b"' in out


# ---- no break inside a number or a period label; the page a phone opens -------------------

NOWRAP = "white-space:nowrap"


class Runs(HTMLParser):
    """The texts inside ``white-space:nowrap`` spans, and the text outside them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.kept: list[str] = []
        self.loose: list[str] = []
        self._open: list[bool] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("br", "img", "hr", "meta"):
            self._open.append(NOWRAP in (dict(attrs).get("style") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("br", "img", "hr", "meta") and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1]:
            self.kept.append(data)
        else:
            self.loose.append(data)


@pytest.mark.parametrize(
    ("prose", "kept"),
    [
        ("全市规模以上工业增加值增长4.8%，", ["4.8%"]),
        ("增速比1—10月回落-0.3个百分点。", ["1—10月", "-0.3个百分点"]),
        ("年末常住人口312.43万人，比上年末增加1.2万人。", ["312.43万人", "1.2万人"]),
        ("出口增长3.1倍，居全区第2位。", ["3.1倍", "2位"]),
        ("11月份，居民消费价格上涨−0.5%。", ["11月份", "−0.5%"]),
        ("2023年1—11月，存款余额1,234.56亿元。", ["2023年1—11月", "1,234.56亿元"]),
        ("2023年12月15日发布，2023年增长5.2%。", ["2023年12月15日", "2023年", "5.2%"]),
        ('新入库"四上"单位***家，较上年增长**.*%。', ["***家", "**.*%"]),
        ("见表2-8和第3期，增长12.5%。", ["12.5%"]),  # 2-8: no sign; 3: one digit, no break
    ],
)
def test_numbers_and_periods_never_break(prose: str, kept: list[str]) -> None:
    out = to_wechat(f"<p>{escape(prose)}</p>")
    assert Runs(out).kept == kept
    assert "".join(Parsed(out).text).strip() == prose  # every character kept, in order


_FIGURE_WITH_UNIT = re.compile(r"\d(?:[\d.,]*\d)?\s*(?:%|个百分点|万人|亿元|倍)|\d+—\d+月")


def test_no_figure_with_its_unit_outside_a_nowrap_span(wechat: tuple[str, str]) -> None:
    runs = Runs(wechat[1])
    assert "5.2%" in runs.kept and "1—11月" in runs.kept
    assert _FIGURE_WITH_UNIT.findall("".join(runs.loose)) == []
    root = Parsed(wechat[1]).elements[0][1]["style"]
    assert "word-break:break-all" not in root  # it broke 增长4. / 8% anywhere


def test_wechat_file_is_a_phone_page_with_the_date(tmp_path: Path) -> None:
    from statlib.render import render

    nb = nbformat.v4.new_notebook()
    front = "---\ntitle: 全市经济运行情况\nseries: bulletin\nedition: public\ndate: 2023-12-15\n---"
    nb.cells = [
        nbformat.v4.new_raw_cell(front),
        nbformat.v4.new_markdown_cell("## 一、工业\n\n规模以上工业增加值增长4.8%。"),
    ]
    path = tmp_path / "w.ipynb"
    nbformat.write(nb, path)
    page = render(path, ["wechat"], out=tmp_path / "out")["wechat"].read_text(encoding="utf-8")
    metas = [a for t, a in Parsed(page).elements if t == "meta"]
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in metas
    fragment = page[page.index("<section") : page.rindex("</section>") + len("</section>")]
    tags = [t for t, _ in Parsed(fragment).elements]
    assert tags[:2] == ["section", "h1"] and "meta" not in tags  # the editor's part: styles only
    title, date = re.findall(r"<(?:h1|p)[^>]*>(.*?)</(?:h1|p)>", fragment)[:2]
    assert title == "全市经济运行情况"
    assert re.sub(r"<[^>]+>", "", date) == "2023年12月15日"  # under the title
