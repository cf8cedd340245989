"""The publication page embeds the shipped faces subset to its own characters (WOFF data URIs)."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import nbformat
import pytest
from fontTools.ttLib import TTFont

from statlib.render import render
from statlib.render.webfont import FACES, page_text, subset_woff

FACE = re.compile(
    r'@font-face \{ font-family: "([^"]+)"; font-weight: (\d+); font-display: block; '
    r'src: url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\) format\("woff"\); \}'
)
TEXT = "## 一、总体运行\n\n全市规模以上工业增加值同比增长**5.8%**，比1—10月回落0.3个百分点。"


def _page(tmp: Path, name: str = "q3") -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(
        nbformat.v4.new_raw_cell(
            "---\ntitle: 前三季度全市经济运行情况\nseries: quarterly_release\n---"
        )
    )
    nb.cells.append(nbformat.v4.new_markdown_cell(TEXT))
    nbformat.write(nb, tmp / f"{name}.ipynb")
    out = render(tmp / f"{name}.ipynb", ["html"], out=tmp / "out")
    return out["html"].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _page(tmp_path_factory.mktemp("page"))


def _faces(page: str) -> dict[tuple[str, int], TTFont]:
    return {
        (family, int(weight)): TTFont(io.BytesIO(base64.b64decode(data)))
        for family, weight, data in FACE.findall(page)
    }


def test_the_page_embeds_four_subset_faces(page: str) -> None:
    faces = _faces(page)
    assert sorted(faces) == sorted((family, weight) for _, family, weight in FACES)
    assert all(font.flavor == "woff" for font in faces.values())
    assert "font/otf" not in page and len(page) < 150_000


def test_every_character_of_the_page_is_in_every_face(page: str) -> None:
    text = page_text(page)
    for word in ("前三季度全市经济运行情况", "一、总体运行", "增长5.8%", "1—10月"):
        assert word in text
    wanted = {ord(c) for c in text if not c.isspace()}
    for key, font in _faces(page).items():
        missing = sorted(chr(c) for c in wanted - set(font.getBestCmap()))
        assert missing == [], key
        assert len(font.getBestCmap()) < len(wanted) + 120  # the page's characters and ASCII


def test_the_same_page_gives_the_same_bytes(page: str, tmp_path: Path) -> None:
    assert _page(tmp_path) == page


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>增长<b>5%</b></p>", "增长5%"),
        ('<style>p { content: "隐" }</style><p>显</p>', "显"),
        ('<img alt="图1 工业" src="x.svg"><span title="注">&amp;</span>', "图1 工业注&"),
    ],
)
def test_page_text_is_what_the_page_shows(html: str, text: str) -> None:
    assert page_text(html) == text


def test_a_subset_keeps_the_shipped_timestamps(tmp_path: Path) -> None:
    from statlib import fonts

    shipped = TTFont(fonts.font_files()["sans"])
    cut = TTFont(io.BytesIO(subset_woff(fonts.font_files()["sans"], "统计")))
    assert cut["head"].modified == shipped["head"].modified
    assert {ord("统"), ord("计"), ord("A")} <= set(cut.getBestCmap())
    assert ord("局") not in cut.getBestCmap()
