"""Every publication is Chinese from masthead to notes (issue 14, item 1).

The releases a bureau builds (``params/2023-11.yaml``, ``params/2023.yaml``) are built once, with
every edition each series allows (``templates/series/*.yaml`` ``editions``; the editions a
release file does not ask for are built for the city) and the WeChat copy of the series that
have one; then the text a reader sees in every HTML, PDF and DOCX file is scanned for words in
Latin script. A word is a run of Latin letters; one passes only when it is on :data:`ALLOWED`,
the few terms Chinese statistical releases print as they are. Developer notes, code names,
English rule text and untranslated method names fail, and the failure lists per file the
offending words with the text around them.

Text extraction is the same on every machine: HTML through ``html.parser`` (tags, ``<script>``,
``<style>`` and SVG metadata dropped; the text of inline SVG charts kept, a reader sees it),
PDF through the leak scan's PDFium reader (``leaks.layers.pdf_pages``), DOCX through zipfile
and its XML (body, headers, footers, footnotes; the ``w:t`` runs of each paragraph joined).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml

from statlib import series as series_registry
from statlib.batch.jobs import wechat_editions
from statlib.leaks.layers import pdf_pages
from statlib.store import open_store

ROOT = Path(__file__).resolve().parents[2]

# Latin-script terms a Chinese statistical release prints as they are, and why. Keep it short:
# anything else a reader needs is written in Chinese (a method is 说明/附注 in words).
ALLOWED = frozenset(
    {
        "CPI",  # 居民消费价格指数: NBS releases write "CPI同比上涨0.2%"
        "PPI",  # 工业生产者出厂价格指数, likewise
        "GDP",  # 国内(地区)生产总值, in NBS text and charts
        "PMI",  # 采购经理指数 (NBS/CFLP releases)
    }
)

# Letters of the Latin script: ASCII, Latin-1 and Extended-A/B, and the full-width forms
# (Ｃｐｉ) a Chinese input method produces.
LATIN_WORD = re.compile(
    r"[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\uFF21-\uFF3A\uFF41-\uFF5A]+"
)


# Latin text that is Chinese practice, blanked before the scan:
# - a national standard as it is cited (GB/T 4754—2017 国民经济行业分类);
# - in the yearbook only, the English half of a bilingual table title (CONVENTIONS §8:
#   ``表2-1 地区生产总值 Gross Regional Product``): a line that is the table number, the Chinese
#   title and an English title, nothing after it.
STANDARD = re.compile(r"(?<![A-Za-z])GB(?:/T|/Z)?\s?\d+(?:[.—-]\d+)*")
BILINGUAL_TITLE = re.compile(
    r"^(\s*表\s?\d+-\d+\s+[^\n]*?[\u4e00-\u9fff）)])\s+([A-Za-z][A-Za-z’'(),&/\- ]*)\s*$",
    re.MULTILINE,
)


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group())


def latin_words(text: str, *, yearbook: bool = False) -> list[tuple[str, str]]:
    """Each Latin word of ``text`` that is not allowed, with up to 12 characters either side.

    ``yearbook``: the text is a chapter of the yearbook, whose table titles are bilingual."""
    text = STANDARD.sub(_blank, text)
    if yearbook:
        text = BILINGUAL_TITLE.sub(
            lambda m: m.group(1) + " " * (len(m.group()) - len(m.group(1))), text
        )
    found = []
    for m in LATIN_WORD.finditer(text):
        if m.group() in ALLOWED:
            continue
        around = text[max(m.start() - 12, 0) : m.end() + 12].replace("\n", " ")
        found.append((m.group(), around))
    return found


class _HtmlText(HTMLParser):
    """The text of an HTML page as a reader sees it (no script, style, head or SVG metadata)."""

    SKIP = frozenset({"script", "style", "head", "metadata", "template", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping.append(tag)
        elif tag in ("br", "p", "div", "tr", "li", "td", "th", "h1", "h2", "h3", "text"):
            self.parts.append("\n")
        if tag == "img":  # the text a reader gets instead of the picture
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f"\n{alt}\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.SKIP:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_text(data: bytes) -> str:
    parser = _HtmlText()
    parser.feed(data.decode("utf-8"))
    parser.close()
    return "".join(parser.parts)


def pdf_text(path: Path) -> str:
    return "\n".join(pdf_pages(path.read_bytes()))  # the leak scan's reader of the text layer


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DOCX_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml")


def docx_text(path: Path) -> str:
    out = []
    with zipfile.ZipFile(path) as z:
        for name in sorted(n for n in z.namelist() if _DOCX_PARTS.fullmatch(n)):
            root = ElementTree.fromstring(z.read(name))
            for para in root.iter(f"{_W}p"):
                out.append("".join(t.text or "" for t in para.iter(f"{_W}t")))
    return "\n".join(out)


def document_text(path: Path) -> str:
    """The text a reader sees in one rendered file (HTML, PDF or DOCX)."""
    suffix = path.suffix.lower()
    if suffix == ".html":
        return html_text(path.read_bytes())
    if suffix == ".pdf":
        return pdf_text(path)
    if suffix == ".docx":
        return docx_text(path)
    raise ValueError(f"{path}: not a rendered document (html, pdf, docx)")


# --- the scanner itself (fast) ------------------------------------------------------------------

WORD_CASES = [
    # text, in the yearbook, the words reported
    ("全市规模以上工业增加值同比增长6.1%。", False, []),
    ("CPI同比上涨0.2%，PPI下降2.5%，GDP增长5.2%，PMI为49.5%。", False, []),
    ("### Trend and turning points", False, ["Trend", "and", "turning", "points"]),
    ("见`forecast.turning_points`。", False, ["forecast", "turning", "points"]),
    (
        "measures.required_growth(target, s)",
        False,
        ["measures", "required", "growth", "target", "s"],
    ),
    (
        "Rule: Hidiroglou–Berthelot (TRUST.md §2)",
        False,
        ["Rule", "Hidiroglou", "Berthelot", "TRUST", "md"],
    ),
    ("按ETS模型测算", False, ["ETS"]),
    ("Ｃｐｉ同比上涨", False, ["Ｃｐｉ"]),
    ("cpi同比上涨", False, ["cpi"]),  # the allowed terms are written as NBS writes them
    ("Café指数", False, ["Café"]),
    ("1—11月 12月份 2023年 80%预测区间 100～200亿元 ‰ ±", False, []),
    ("行业按国民经济行业分类(GB/T 4754—2017)大类分组", False, []),
    ("按GB 2260编码", False, []),
    ("GBK编码", False, ["GBK"]),
    # the bilingual title of a yearbook table, and only there, only as a whole title line
    ("表2-1 地区生产总值 Gross Regional Product", True, []),
    ("表 8-2 主要指标在全国的位次 Inner Mongolia’s Rank in China", True, []),
    ("表4-2 规模以上工业企业主要指标(按行业分) Industrial Enterprises by Sector", True, []),
    ("表2-1 地区生产总值 Gross Regional Product", False, ["Gross", "Regional", "Product"]),
    (
        "表2-1 地区生产总值 Gross Regional Product（见note）",
        True,
        ["Gross", "Regional", "Product", "note"],
    ),
    ("注：Gross Regional Product按现价计算", True, ["Gross", "Regional", "Product"]),
    ("地区生产总值 Gross Regional Product", True, ["Gross", "Regional", "Product"]),
]


@pytest.mark.parametrize(("text", "yearbook", "words"), WORD_CASES)
def test_latin_words(text: str, yearbook: bool, words: list[str]) -> None:
    assert [w for w, _ in latin_words(text, yearbook=yearbook)] == words


HTML_CASES = [
    # page, the text a reader sees
    (
        "<html><head><title>Title</title><style>p{font-family:Noto}</style></head>"
        "<body><p>增长<b>6.1</b>%</p><script>var x=1;</script></body></html>",
        "增长6.1%",
    ),
    (
        "<svg><metadata><dc:title>Matplotlib</dc:title></metadata><text>累计增速</text></svg>",
        "累计增速",
    ),
    ('<p>图1</p><img src="a.png" alt="Figure one"/>', "图1Figure one"),
    ("<p>A &amp; B</p>", "A & B"),
]


@pytest.mark.parametrize(("page", "seen"), HTML_CASES)
def test_html_text(page: str, seen: str) -> None:
    assert html_text(page.encode()).replace("\n", "") == seen


def test_docx_text(tmp_path: Path) -> None:
    """Runs of one paragraph join (a word split over runs is one word); headers are read."""
    body = (
        f'<w:document xmlns:w="{_W[1:-1]}"><w:body>'
        "<w:p><w:r><w:t>Tre</w:t></w:r><w:r><w:t>nd 增长</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>第二段</w:t></w:r></w:p></w:body></w:document>"
    )
    header = f'<w:hdr xmlns:w="{_W[1:-1]}"><w:p><w:r><w:t>内部资料</w:t></w:r></w:p></w:hdr>'
    path = tmp_path / "x.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", body)
        z.writestr("word/header1.xml", header)
        z.writestr("docProps/core.xml", "<cp>Author</cp>")  # metadata: not read
    text = docx_text(path)
    assert text.split("\n") == ["Trend 增长", "第二段", "内部资料"]
    assert [w for w, _ in latin_words(text)] == ["Trend"]


# --- the releases (slow) ------------------------------------------------------------------------

RELEASES = ("2023-11", "2023")


def every_edition(release: dict[str, Any]) -> dict[str, Any]:
    """The release with every edition its series allow and the WeChat copies.

    Each publication keeps its regions and editions; a public edition that the series allows as
    a WeChat copy gets the ``wechat`` format too (in an entry of its own, as the batch requires);
    the editions the release file does not ask for are added for the first region (the city).
    """
    out = []
    for pub in release["publications"]:
        found = series_registry.get(pub["series"], ROOT)
        chat = set(wechat_editions(pub["series"], ROOT))
        asked = list(pub["editions"])
        missing = [e for e in found.editions if e not in asked]
        groups: list[tuple[list[str], list[str] | None]] = [(asked, pub.get("regions"))]
        if missing:
            groups.append((missing, pub["regions"][:1] if pub.get("regions") else None))
        for editions, regions in groups:
            plain = [e for e in editions if e not in chat or pub["series"] == "yearbook"]
            chatty = [e for e in editions if e not in plain]
            for eds, formats in ((plain, pub["formats"]), (chatty, [*pub["formats"], "wechat"])):
                if not eds:
                    continue
                entry = {**pub, "editions": eds, "formats": formats}
                if regions is not None:
                    entry["regions"] = regions
                out.append(entry)
    return {**release, "publications": out}


def published_files(outputs: Path) -> Iterator[Path]:
    for path in sorted(outputs.rglob("*")):
        if ".releases" in path.parts or not path.is_file():
            continue
        if path.suffix.lower() in (".html", ".pdf", ".docx") and "site" not in path.parts:
            yield path


@pytest.fixture(scope="session")
def built(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Both releases with every edition, built into a tmp output root: release → its folder."""
    base = tmp_path_factory.mktemp("chinese")
    db = base / "statlib.duckdb"  # a build registers its issues: never in the shared demo_db
    shutil.copy(demo_db, db)
    env = {
        **os.environ,
        "STATLIB_DB": str(db),
        "STATLIB_OUTPUTS": str(base / "outputs"),
        "STATLIB_WORK": str(base / "work"),
    }
    folders = {}
    for period in RELEASES:
        release = yaml.safe_load((ROOT / "params" / f"{period}.yaml").read_text(encoding="utf-8"))
        params = base / f"{period}.yaml"
        params.write_text(yaml.safe_dump(every_edition(release), allow_unicode=True), "utf-8")
        run = subprocess.run(
            [sys.executable, "-m", "statlib.cli", "build", "--params", str(params), "-j", "2"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        assert run.returncode == 0, f"build of {period} failed:\n{run.stdout}\n{run.stderr}"
        folders[period] = base / "outputs" / period
    return folders


@pytest.mark.slow
def test_every_edition_is_built(built: dict[str, Path]) -> None:
    """The scan covers every series × edition the project produces, in every format asked."""
    seen = set()
    for folder in built.values():
        for path in published_files(folder):
            edition, name = path.relative_to(folder).parts[:2]  # edition/series/…
            seen.add(("yearbook" if is_yearbook(path, folder) else name, edition))
    expected = {
        (name, edition)
        for name in (
            "bulletin",
            "decision_reference",
            "internal_brief",
            "quarterly_release",
            "survey_report",
            "yearbook",
        )
        for edition in series_registry.get(name, ROOT).editions
    }
    assert expected <= seen, f"not built: {sorted(expected - seen)}"


def is_yearbook(path: Path, folder: Path) -> bool:
    """A chapter of the yearbook (``<edition>/yearbook-NN_topic/…``)."""
    return path.relative_to(folder).parts[1].startswith("yearbook")


@pytest.mark.slow
@pytest.mark.parametrize("period", RELEASES)
def test_publications_are_chinese(built: dict[str, Path], period: str) -> None:
    folder = built[period]
    files = list(published_files(folder))
    assert len(files) > 20, f"{folder}: only {len(files)} documents"
    offending = {}
    for path in files:
        words = latin_words(document_text(path), yearbook=is_yearbook(path, folder))
        if words:
            offending[str(path.relative_to(folder))] = words
    report = "\n".join(
        f"{name}: {len(words)} Latin word(s): "
        + "; ".join(f"{w} «{around}»" for w, around in words[:12])
        for name, words in sorted(offending.items())
    )
    assert not offending, f"{len(offending)} of {len(files)} documents carry Latin text:\n{report}"


MARKED = re.compile(r"(云川市[\u4e00-\u9fff]+?)（(新入库|退库)）")
STEADY = re.compile(r"连续两年在库的(\d+)家“四上”企业[^。]*?偏离最大的是([^。]*?)，建议")


@pytest.mark.slow
def test_internal_brief_statements_agree_with_its_tables(
    built: dict[str, Path], demo_db: Path
) -> None:
    """《统计内参》 names as 连续两年在库 only units above scale in both years — none that its
    表3 (and the sentence before it) marks 新入库 or 退库 — and counts exactly those units."""
    path = built["2023-11"] / "internal" / "internal_brief" / "990200"
    text = html_text((path / "internal_brief.internal.html").read_bytes()).replace("\n", "")
    marked = {name for name, _ in MARKED.findall(text)}
    steady = STEADY.search(text)
    assert steady, "the brief has no sentence on units 连续两年在库"
    named = set(re.findall(r"(云川市[\u4e00-\u9fff]+?)（(?:增长|下降|持平)", steady.group(2)))
    assert named, steady.group()
    assert not named & marked, f"named as 连续两年在库 but marked 新入库/退库: {named & marked}"
    units = open_store(str(demo_db), edition="internal").units()
    above = units[units["above_scale"]]
    year = 2023
    now = above[above["year"] == year].set_index("unit_id")["category"]
    before = above[above["year"] == year - 1].set_index("unit_id")["category"]
    both = now.index.intersection(before.index)
    both = both[now[both].to_numpy() == before[both].to_numpy()]
    assert int(steady.group(1)) == len(both)
    names = set(above.loc[above["unit_id"].isin(both), "name"])
    assert named <= names
