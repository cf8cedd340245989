"""The yearbook assembled as a book: pages and links, the PDF and its contents, XLSX, archive."""

from __future__ import annotations

import json
import os
import re
import subprocess
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import openpyxl
import pytest
from click.testing import CliRunner

from statlib import yearbook
from statlib.cli import main
from statlib.errors import ConfigError, RenderError, UnsafePathError
from statlib.fsio import is_own_link
from statlib.render import read
from statlib.tables import Table
from statlib.yearbook._archive import verify_zip
from statlib.yearbook.assembly import BookResult, build_book

CHAPTERS = yearbook.book()
TITLE = "《云川统计年鉴2024》"
HEADINGS = [
    "一、综合",
    "二、国民经济核算",
    "三、人口",
    "四、工业",
    "五、固定资产投资",
    "六、国内贸易",
    "七、旗县区资料",
    "八、分省主要指标",
]


@pytest.fixture(scope="module")
def env(demo_db: Path) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STATLIB_DB", str(demo_db))
        yield


@pytest.fixture(scope="module")
def built(env: None, yearbook_book: BookResult) -> BookResult:
    return yearbook_book


@pytest.fixture(scope="module")
def tables(built: BookResult) -> dict[int, list[Table]]:
    return {c.number: yearbook.chapter_tables(built.executed[c.file]) for c in CHAPTERS}


class Page(HTMLParser):
    """The ids, links and a few elements of one HTML page."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, dict[str, str]]] = []
        self.tags: list[str] = []
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        if "id" in a:
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if key in a:
                self.links.append((a[key], a))


def _numbers(tables: dict[int, list[Table]]) -> list[str]:
    return [f"表{t.number}" for n in sorted(tables) for t in tables[n]]


# ---- HTML -------------------------------------------------------------------------------------


def test_index_lists_every_chapter_and_table_in_order(
    built: BookResult, tables: dict[int, list[Table]]
) -> None:
    text = built.index.read_text(encoding="utf-8")
    assert TITLE in text and "编辑说明" in text and "目录" in text and "收录2023年数据" in text
    positions = [
        text.index(f'href="{c.number:02d}.html">{h}')
        for c, h in zip(CHAPTERS, HEADINGS, strict=True)
    ]
    assert positions == sorted(positions)
    numbers = re.findall(r'<span class="num">(表\d+-\d+)</span>', text)
    assert numbers == _numbers(tables) and len(numbers) == built.tables == 24
    for t in (t for ts in tables.values() for t in ts):
        assert f'href="{t.number.split("-")[0].zfill(2)}.html#t{t.number}"' in text
        assert t.title in text


def test_every_internal_link_resolves(built: BookResult) -> None:
    pages = {p.name: Page(p) for p in [built.index, *built.pages]}
    checked = 0
    for name, page in pages.items():
        for href, _attrs in page.links:
            assert not re.match(r"^[a-z]+:", href), f"{name}: external or scheme link {href}"
            target, _, anchor = href.partition("#")
            file = built.out / target if target else built.out / name
            assert file.is_file(), f"{name}: {href} → no such file"
            if anchor:
                assert anchor in pages[file.name].ids, f"{name}: {href} → no such anchor"
            checked += 1
    assert checked > 150


def test_chapter_pages_navigate_and_link_their_tables(
    built: BookResult, tables: dict[int, list[Table]]
) -> None:
    assert [p.name for p in built.pages] == [f"{c.number:02d}.html" for c in CHAPTERS]
    for i, path in enumerate(built.pages):
        page = Page(path)
        text = path.read_text(encoding="utf-8")
        rel = {a.get("rel") for _, a in page.links if a.get("rel")}
        assert "prev" in rel, path.name  # chapter 1's previous page is the index
        assert ("next" in rel) == (i < len(built.pages) - 1), path.name
        assert 'href="index.html#contents"' in text and f"<h1>{HEADINGS[i]}</h1>" in text
        assert all(f'href="{c.number:02d}.html"' in text for c in CHAPTERS)  # the chapter list
        assert 'name="viewport"' in text and "<script" not in text.lower()
        for t in tables[i + 1]:
            assert f"t{t.number}" in page.ids
            assert yearbook.xlsx_name(t) in text and f"表{t.number} {t.title}" in text
    first, last = Page(built.pages[0]), Page(built.pages[-1])
    assert ("index.html", "prev") in {(h, a.get("rel")) for h, a in first.links}
    assert "next" not in {a.get("rel") for _, a in last.links}
    css = (built.out / "book.css").read_text(encoding="utf-8")
    assert '"Statlib Sans SC"' in css and '"Statlib Serif SC"' in css and "max-width: 600px" in css
    # the shipped faces subset to the book's characters (statlib.render.webfont): no tofu
    assert css.count("@font-face") == 4 and css.count("data:font/woff;base64,") == 4


# ---- PDF --------------------------------------------------------------------------------------


def _pdf_pages(path: Path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    return out.split("\f")


def test_pdf_has_contents_with_page_numbers(
    built: BookResult, tables: dict[int, list[Table]]
) -> None:
    pages = _pdf_pages(built.pdf)
    toc = next(p for p in pages if re.search(r"^\s*目录\s*$", p, re.M))
    lines = [re.sub(r"[\s.\u2060]+", " ", x).strip() for x in toc.splitlines()]
    listed: dict[str, int] = {}
    for line in lines:
        m = re.match(r"^(表\s*\d+\s*-\s*\d+|[一二三四五六七八九十]+、\S+)\s.*?(\d+)$", line)
        if m:
            listed[re.sub(r"\s", "", m.group(1))] = int(m.group(2))
    assert all(h in listed for h in HEADINGS), listed
    assert [k for k in listed if k.startswith("表")] == _numbers(tables)
    # the page numbers are right: each chapter starts on the page the contents give
    footers = {}
    for text in pages:
        m = re.search(r"—\s*(\d+)\s*—\s*$", text.strip())
        if m:
            footers[int(m.group(1))] = re.sub(r"\s+", "", text)
    for heading in HEADINGS:
        assert heading in footers[listed[heading]]
    for number in _numbers(tables):
        assert number in footers[listed[number]]
    whole = re.sub(r"\s+", "", "".join(pages))
    assert all(t.title in whole for ts in tables.values() for t in ts)
    body = [p for p in pages[1:] if p.strip()]
    assert all("《云川统计年鉴2024》" in re.sub(r"\s+", "", p) for p in body)  # running header


def test_pdf_uses_only_the_shipped_fonts_on_a4(built: BookResult) -> None:
    fonts = subprocess.run(["pdffonts", str(built.pdf)], capture_output=True, check=True)
    names = [line.split()[0] for line in fonts.stdout.decode().splitlines()[2:]]
    assert names and all(re.match(r"^[A-Z]{6}\+Statlib(Sans|Serif)SC-", n) for n in names)
    info = subprocess.run(["pdfinfo", str(built.pdf)], capture_output=True, check=True)
    assert "(A4)" in info.stdout.decode()


# ---- XLSX and the archive ---------------------------------------------------------------------


def test_one_workbook_per_table_values_only(
    built: BookResult, tables: dict[int, list[Table]]
) -> None:
    every = [t for n in sorted(tables) for t in tables[n]]
    assert [p.name for p in built.xlsx] == [yearbook.xlsx_name(t) for t in every]
    for path, table in zip(built.xlsx, every, strict=True):
        book = openpyxl.load_workbook(path)
        assert book.sheetnames == ["封面", "目录", "说明", f"表{table.number}"]
        cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"], path.name
        assert any(table.title in str(c.value) for c in cells if c.value), path.name


def test_archive_holds_everything_with_matching_checksums(built: BookResult) -> None:
    assert built.archive.name == "yearbook-2024.zip"
    assert verify_zip(built.archive) == []
    on_disk = sorted(
        p.relative_to(built.out).as_posix()
        for p in built.out.rglob("*")
        if p.is_file() and p != built.archive
    )
    with zipfile.ZipFile(built.archive) as archive:
        names = archive.namelist()
        assert names == sorted(names) and all(n.startswith("yearbook-2024/") for n in names)
        assert [n.split("/", 1)[1] for n in names] == on_disk
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        manifest = json.loads(archive.read("yearbook-2024/manifest.json"))
        assert "云川统计年鉴2024" in archive.comment.decode("utf-8")
    assert manifest == json.loads(built.manifest.read_text(encoding="utf-8"))
    assert manifest["title"] == TITLE and manifest["data_year"] == 2023
    assert len(manifest["files"]) == len(on_disk) - 1  # all but the manifest itself


@pytest.mark.slow  # executes every chapter a second time
def test_same_inputs_give_the_same_bytes(built: BookResult, tmp_path: Path) -> None:
    """Built again from a fresh execution of every chapter: the archive is byte-identical."""
    again = build_book(2023, out=tmp_path / "2024")
    assert again.archive.read_bytes() == built.archive.read_bytes()


def test_a_build_switches_its_link_and_a_failed_one_leaves_the_previous_book(
    built: BookResult, tmp_path: Path
) -> None:
    out = tmp_path / "2024"
    first = build_book(2023, out=out, executed=built.executed)  # rendered again, not executed
    assert first.archive.read_bytes() == built.archive.read_bytes()
    assert is_own_link(out) and os.readlink(out).startswith(".yearbook/2024-")
    version = out.resolve()
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    broken = tmp_path / "broken.ipynb"
    nb = nbformat.read(built.executed[CHAPTERS[3].file], as_version=4)
    nb.cells = nb.cells[1:]  # no front matter
    nbformat.write(nb, broken)
    with pytest.raises(RenderError, match="front matter"):
        build_book(2023, out=out, executed={**built.executed, CHAPTERS[3].file: broken})
    assert out.resolve() == version
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before and len(after) == len(before) > 20
    assert sorted(p.name for p in tmp_path.iterdir()) == [".yearbook", "2024", "broken.ipynb"]
    assert sorted(p.name for p in (tmp_path / ".yearbook").iterdir()) == [
        ".build.lock",
        version.name,
    ]  # the failed build's .part is gone
    (tmp_path / "2025").mkdir()  # a folder statlib did not make is refused, never replaced
    with pytest.raises(UnsafePathError, match="not a yearbook link statlib made"):
        build_book(2023, out=tmp_path / "2025", executed=built.executed)
    assert list((tmp_path / "2025").iterdir()) == []


# ---- parameters and the CLI -------------------------------------------------------------------


def test_bad_parameters_name_what_is_allowed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="parameter year"):
        build_book(2031, out=tmp_path / "x")
    with pytest.raises(ConfigError, match="parameter edition"):
        build_book(2023, edition="masked", out=tmp_path / "x")
    with pytest.raises(ConfigError, match=r"02_accounts\.ipynb"):
        build_book(2023, out=tmp_path / "x", executed={"01_overview.ipynb": tmp_path / "a"})
    result = CliRunner().invoke(main, ["book", "--year", "1999", "--out", str(tmp_path / "y")])
    assert result.exit_code == 2 and "parameter year" in result.output
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


# ---- the Lua filter: 章-序 numbers in the yearbook --------------------------------------------


def _notebook(path: Path, series: str, captions: list[tuple[str, str]]) -> Path:
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

    cells = [
        new_raw_cell(f"---\ntitle: 测试\nseries: {series}\nchapter: 3\n---"),
        new_markdown_cell("见@tbl-a和@tbl-b，以及@tbl-c。"),
    ]
    for label, caption in captions:
        cell = new_code_cell(f"#| label: {label}\n#| tbl-cap: {caption}\nt", execution_count=1)
        cell.outputs = [
            new_output(
                "display_data",
                data={"text/markdown": "| 指标 | 数值 |\n|---|---|\n| 甲 | 1 |", "text/plain": "t"},
            )
        ]
        cells.append(cell)
    nbformat.write(new_notebook(cells=cells), path)
    return path


def _captions_and_text(path: Path) -> tuple[list[str], str]:
    from statlib.yearbook._model import inline_text

    doc = read(path, path.parent / "media")
    captions = [inline_text(b["c"][1][1]) for b in doc.ast["blocks"] if b["t"] == "Table"]
    return captions, inline_text(doc.ast["blocks"][0]["c"])


@pytest.mark.parametrize(
    ("series", "expected_captions", "expected_text"),
    [
        ("yearbook", ["表3-1 人口", "表3-5 其他", "表3-6 再一个"], "见表3-1和表3-5，以及表3-6。"),
        ("bulletin", ["表1 人口", "表3-5 其他", "表3 再一个"], "见表1和表3-5，以及表3。"),
    ],
    ids=["yearbook", "bulletin"],
)
def test_yearbook_tables_keep_their_chapter_numbers(
    tmp_path: Path, series: str, expected_captions: list[str], expected_text: str
) -> None:
    path = _notebook(
        tmp_path / "nb.ipynb",
        series,
        [("tbl-a", "人口"), ("tbl-b", "表3-5 其他"), ("tbl-c", "再一个")],
    )
    captions, text = _captions_and_text(path)
    assert captions == expected_captions and text == expected_text


def test_real_chapter_captions_are_not_prefixed_twice(built: BookResult) -> None:
    text = built.pages[1].read_text(encoding="utf-8")
    assert "<caption>表2-1 地区生产总值 Gross Regional Product</caption>" in text
    assert not re.search(r"表\d+ 表\d+-\d+", text)
