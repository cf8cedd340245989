"""statlib.render: an executed bulletin notebook → HTML, PDF and Word that read as the bureau's own.

The fixture notebook (tests/fixtures/render/bulletin.ipynb, committed without outputs) is executed
here with a real kernel, then rendered once; the tests read the files back: HTML text, the PDF
through poppler (pdftotext, pdffonts), the Word document's XML.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from nbclient import NotebookClient

from statlib.cli import main
from statlib.errors import RenderError
from statlib.render import render

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "render" / "bulletin.ipynb"
TABLE_NUMBERS = ["3456.78", "6.1", "7.2", "1234.5", "5.4", "98.7", "-1.2", "65.4", "2.0"]
MASTHEAD = ["统计资讯", "第23期", "云川市统计局", "2024年12月18日", "内部资料 注意保存"]
HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} missing: apt-get install poppler-utils")
        pytest.skip(f"{tool} not installed (apt-get install poppler-utils)")
    return path


def _squash(text: str) -> str:
    """pdftotext puts spaces between CJK and Latin runs; compare without whitespace."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    nb = nbformat.read(FIXTURE, as_version=4)
    work = tmp_path_factory.mktemp("executed")
    NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(work)}}
    ).execute()
    path = work / "bulletin.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def outputs(executed: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return render(executed, ["html", "pdf", "docx"], out=tmp_path_factory.mktemp("out"))


@pytest.fixture(scope="module")
def html(outputs: dict[str, Path]) -> str:
    return outputs["html"].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pdf_pages(outputs: dict[str, Path]) -> list[str]:
    tool = _poppler("pdftotext")
    text = subprocess.run(
        [tool, "-layout", str(outputs["pdf"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


@pytest.fixture(scope="module")
def docx_xml(outputs: dict[str, Path]) -> dict[str, str]:
    with zipfile.ZipFile(outputs["docx"]) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")}


def _in_order(text: str, items: list[str]) -> bool:
    pos = 0
    for item in items:
        found = text.find(item, pos)
        if found < 0:
            return False
        pos = found + len(item)
    return True


# ---- files -------------------------------------------------------------------------------


def test_files_named_by_stem_and_edition(outputs: dict[str, Path]) -> None:
    assert {k: p.name for k, p in outputs.items()} == {
        "html": "bulletin.internal.html",
        "pdf": "bulletin.internal.pdf",
        "docx": "bulletin.internal.docx",
    }
    assert not [p for p in outputs["html"].parent.iterdir() if p.name.startswith(".")]


# ---- HTML --------------------------------------------------------------------------------


def test_html_cross_references_and_captions(html: str) -> None:
    assert "（见图1）" in html and "主要指标见表1" in html and "（表3）" in html
    assert "表1 主要经济指标" in html and "图1 规模以上工业增加值累计增速" in html
    assert "表2 各旗县区规模以上工业增加值" in html
    assert "@fig-" not in html and "@tbl-" not in html


def test_html_tables_are_real_tables_in_order(html: str) -> None:
    main_table = html[html.index("表1 主要经济指标") :]
    main_table = main_table[: main_table.index("</table>")]
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", main_table)]
    assert [c for c in cells if re.fullmatch(r"-?\d+(\.\d+)?", c)] == TABLE_NUMBERS
    assert html.count('<div class="table-wrap">') == 4
    # the DataFrame: a real table without pandas' RangeIndex column or its <style>
    assert re.search(r"<td[^>]*>甲区</td>", html) and "dataframe" not in html


def test_html_page_is_responsive_and_inert(html: str) -> None:
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<script" not in html.lower() and "onerror=" not in html.replace("onerror=alert", "")
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3  # table, DataFrame, text
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") == 2  # table, Markdown output
    assert '<img src="data:image/svg+xml;base64,' in html
    assert '"Statlib Sans SC", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei"' in html
    # the shipped faces subset to the page's characters (statlib.render.webfont), not whole
    assert "font/woff;base64," in html and "font/otf" not in html and len(html) < 600_000


def test_html_masthead_and_footer(html: str) -> None:
    for text in [*MASTHEAD, "000123", "报：市委、市人大、市政府、市政协领导", "（共印60份）"]:
        assert text in html
    assert "--red: #C00000" in html


def test_html_cell_options_and_no_notebook_noise(html: str) -> None:
    assert "import pandas" not in html and "tables.Table" not in html  # echo: false default
    assert "y = 2 + 2" in html  # echo: true
    assert "x = 1" not in html  # output: false, echo default
    assert "计算完成：共3个旗县区" in re.sub(r"<[^>]+>", "", html)  # print, no other output
    assert "&lt;Table" not in html and "&lt;Chart" not in html  # text/plain of rich outputs
    for noise in ("papermill", "iopub", "execution_count", "kernelspec", 'period = "2024-11"'):
        assert noise not in html


def test_html_self_contained_embeds_fonts(executed: Path, tmp_path: Path) -> None:
    page = render(executed, ["html"], out=tmp_path, self_contained=True)["html"]
    text = page.read_text(encoding="utf-8")
    assert "@font-face" in text and "font/otf;base64," in text and "<script" not in text


# ---- PDF ---------------------------------------------------------------------------------


def test_pdf_text_is_chinese_with_masthead_and_numbers(pdf_pages: list[str]) -> None:
    first = _squash(pdf_pages[0])
    for text in [*MASTHEAD, "2024年1—11月全市经济运行情况", "000123"]:
        assert _squash(text) in first
    whole = _squash("".join(pdf_pages))
    assert _in_order(whole, TABLE_NUMBERS)
    assert "表1主要经济指标" in whole and "图1规模以上工业增加值累计增速" in whole
    assert "—1—" in first
    assert "（共印60份）" in whole and "发：各旗县区统计局" in whole


def test_pdf_long_table_repeats_its_header(pdf_pages: list[str]) -> None:
    with_rows = [p for p in pdf_pages if "企业4" in _squash(p) or "企业7" in _squash(p)]
    headed = [p for p in pdf_pages if "产值(万元)" in p and "企业" in p]
    assert len(with_rows) >= 2 and len(headed) >= 2
    assert _in_order(_squash("".join(pdf_pages)), [f"企业{i:02d}" for i in range(1, 81)])


def test_pdf_every_page_marked_and_numbered(pdf_pages: list[str]) -> None:
    pages = [p for p in pdf_pages if p.strip()]
    assert len(pages) >= 3
    for n, page in enumerate(pages, 1):
        assert "内部资料注意保存" in _squash(page)
        assert f"—{n}—" in _squash(page)


def test_pdf_embeds_only_the_shipped_faces_with_bold(outputs: dict[str, Path]) -> None:
    tool = _poppler("pdffonts")
    lines = subprocess.run(
        [tool, str(outputs["pdf"])], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    names = [line.split()[0].split("+", 1)[-1] for line in lines]
    assert names and all(n.startswith(("StatlibSansSC-", "StatlibSerifSC-")) for n in names)
    assert all(" yes " in f" {line} " for line in lines)  # emb yes
    assert any("SerifSC-Bold" in n for n in names) and any("SansSC-Bold" in n for n in names)


def test_pdf_is_the_same_bytes_every_time(
    executed: Path, outputs: dict[str, Path], tmp_path: Path
) -> None:
    again = render(executed, ["pdf"], out=tmp_path)["pdf"]
    assert again.read_bytes() == outputs["pdf"].read_bytes()


# ---- Word --------------------------------------------------------------------------------


def test_docx_tables_headings_and_styles(docx_xml: dict[str, str]) -> None:
    body = docx_xml["word/document.xml"]
    assert body.count("<w:tbl>") == 4
    assert '<w:pStyle w:val="Heading1" />' in body and '<w:pStyle w:val="Heading2" />' in body
    text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", body))
    assert _in_order(text, TABLE_NUMBERS) and "表1 主要经济指标" in text and "见图1" in text
    styles = docx_xml["word/styles.xml"]
    assert 'w:eastAsia="Statlib Serif SC"' in styles and 'w:eastAsia="Statlib Sans SC"' in styles
    assert 'w:color w:val="C00000"' in styles


def test_docx_masthead_and_footer(docx_xml: dict[str, str]) -> None:
    body = docx_xml["word/document.xml"]
    text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", body))
    for item in [*MASTHEAD[:-1], "000123", "报：市委、市人大、市政府、市政协领导", "（共印60份）"]:
        assert item.replace("&", "&amp;") in text
    assert MASTHEAD[-1] not in text  # the classification is the page header: once on page 1
    assert '<w:pStyle w:val="Title"/></w:pPr><w:r><w:t xml:space="preserve">统计资讯' in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert any("PAGE" in x for n, x in docx_xml.items() if n.startswith("word/footer"))


def test_no_paths_or_notebook_metadata_in_any_output(
    outputs: dict[str, Path], docx_xml: dict[str, str], pdf_pages: list[str]
) -> None:
    texts = {
        "html": outputs["html"].read_text(encoding="utf-8"),
        "pdf": "".join(pdf_pages),
        "docx": "".join(docx_xml.values()),
    }
    for fmt, text in texts.items():
        for noise in ("statlib-render-", "/tmp", "papermill", "kernelspec", "iopub"):
            assert noise not in text, (fmt, noise)


def test_docx_is_the_same_bytes_every_time(
    executed: Path, outputs: dict[str, Path], tmp_path: Path
) -> None:
    again = render(executed, ["docx"], out=tmp_path)["docx"]
    assert again.read_bytes() == outputs["docx"].read_bytes()


def test_docx_internal_copy_marked_on_every_page(docx_xml: dict[str, str]) -> None:
    headers = [x for n, x in docx_xml.items() if n.startswith("word/header")]
    assert len(headers) == 1 and "内部资料 注意保存" in headers[0]
    assert "<w:headerReference" in docx_xml["word/document.xml"]


# ---- other series and failures ------------------------------------------------------------


def _notebook(path: Path, front: str | None, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    if front is not None:
        nb.cells.append(nbformat.v4.new_raw_cell(front))
    nb.cells.extend(nbformat.v4.new_markdown_cell(c) for c in cells)
    nbformat.write(nb, path)
    return path


def test_plain_series_public_edition(tmp_path: Path) -> None:
    nb = _notebook(
        tmp_path / "q3.ipynb",
        "---\ntitle: 前三季度全市经济运行情况\nseries: quarterly_release\ndate: 2024-10-20\n---",
        "## 一、总体\n\n经济**稳中有进**。",
    )
    out = render(nb, ["html", "docx"], out=tmp_path / "out")
    assert out["html"].name == "q3.public.html"
    page = out["html"].read_text(encoding="utf-8")
    assert "2024年10月20日" in page and "前三季度全市经济运行情况" in page
    assert "内部资料" not in page and 'class="series-title"' not in page


def test_toc_internal_only_and_masked_title(tmp_path: Path) -> None:
    pytest.importorskip("statlib.render.editions")
    front = (
        "---\ntitle: 全市工业增长7.2%\nseries: bulletin\nissue: 5\ntoc: true\ndate: 2024-06-01\n---"
    )
    nb = _notebook(
        tmp_path / "t.ipynb", front, "## 一、工业\n\n增长7.2%。", "## 二、消费\n\n增长5.4%。"
    )
    nb_dict = nbformat.read(nb, as_version=4)
    secret = nbformat.v4.new_markdown_cell("内部口径：增长9.9%。")
    secret.metadata["tags"] = ["internal-only"]
    nb_dict.cells.append(secret)
    nbformat.write(nb_dict, nb)
    internal = render(nb, ["html", "pdf", "docx"], out=tmp_path / "i")
    page = internal["html"].read_text(encoding="utf-8")
    assert '<nav class="toc"' in page and "内部口径" in page
    with zipfile.ZipFile(internal["docx"]) as z:
        assert "TOC \\o" in z.read("word/document.xml").decode()
    masked = render(nb, ["html"], edition="masked", out=tmp_path / "m")["html"]
    text = masked.read_text(encoding="utf-8")
    assert "全市工业增长*.*%" in text and "7.2" not in text and "内部口径" not in text
    assert "第5期" in text and "2024年6月1日" in text


def test_no_front_matter_is_a_render_error(tmp_path: Path) -> None:
    nb = _notebook(tmp_path / "bare.ipynb", None, "# 标题")
    with pytest.raises(RenderError, match=r"bare\.ipynb: no front matter"):
        render(nb, ["html"], out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    nb = _notebook(tmp_path / "bad.ipynb", "---\ntitle: 标题\nseries: [bulletin\n---")
    with pytest.raises(RenderError, match=r"bad\.ipynb: line \d+ .*bad YAML"):
        render(nb, ["html"], out=tmp_path)


def test_unknown_series_lists_the_known(tmp_path: Path) -> None:
    nb = _notebook(tmp_path / "s.ipynb", "---\ntitle: 标题\nseries: nosuch\n---")
    with pytest.raises(RenderError, match="known series: bulletin, decision_reference"):
        render(nb, ["html"], out=tmp_path)


@pytest.mark.parametrize("text", ["见@fig-none。", "见[@fig-none]。", "[@tbl-a; @fig-none]"])
def test_unknown_cross_reference_names_the_notebook(tmp_path: Path, text: str) -> None:
    nb = _notebook(tmp_path / "r.ipynb", "---\ntitle: 标题\nseries: bulletin\n---", text)
    with pytest.raises(RenderError) as caught:
        render(nb, ["html"], out=tmp_path / "out")
    assert str(caught.value).startswith("r.ipynb: unknown cross-reference @")
    assert "#| label:" in str(caught.value) and "stack traceback" not in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_internal_brief_has_no_public_edition(tmp_path: Path) -> None:
    nb = _notebook(tmp_path / "b.ipynb", "---\ntitle: 标题\nseries: internal_brief\n---")
    with pytest.raises(RenderError, match="no 'public' edition"):
        render(nb, ["html"], edition="public", out=tmp_path)


def test_unknown_format(tmp_path: Path) -> None:
    nb = _notebook(tmp_path / "f.ipynb", "---\ntitle: 标题\nseries: bulletin\n---")
    with pytest.raises(RenderError, match="unknown format 'odt'"):
        render(nb, ["odt"], out=tmp_path)


def test_wechat_is_a_registered_format(executed: Path, tmp_path: Path) -> None:
    pytest.importorskip("statlib.render.wechat")
    out = render(executed, ["wechat"], edition="public", out=tmp_path)["wechat"]
    assert out.name == "bulletin.public.wechat.html"
    text = out.read_text(encoding="utf-8")
    assert "<script" not in text and "<style" not in text and "表1 主要经济指标" in text


_TWICE = """
import sys
from pathlib import Path
from statlib.render import render
notebook, out = Path(sys.argv[1]), Path(sys.argv[2])
for run in ("first", "later"):
    render(notebook, ["wechat"], edition="public", out=out / run, scan=False)
"""


def test_wechat_is_the_same_on_first_and_later_use(executed: Path, tmp_path: Path) -> None:
    # a fresh process: the first use of a format in a process is what once differed
    import sys

    subprocess.run([sys.executable, "-c", _TWICE, str(executed), str(tmp_path)], check=True)
    first = (tmp_path / "first" / "bulletin.public.wechat.html").read_text(encoding="utf-8")
    later = (tmp_path / "later" / "bulletin.public.wechat.html").read_text(encoding="utf-8")
    assert first == later
    # one heading level below the title (<h1>): the body's top headings are <h2>
    assert first.count("<h1") == 1 and "<h2" in first and "表1 主要经济指标" in first


def test_cli_render(tmp_path: Path) -> None:
    nb = _notebook(
        tmp_path / "c.ipynb", "---\ntitle: 标题\nseries: bulletin\nissue: 2\n---", "正文。"
    )
    result = CliRunner().invoke(
        main, ["render", str(nb), "--to", "html,docx", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "c.internal.html").is_file()
    assert (tmp_path / "o" / "c.internal.docx").is_file()
    bare = _notebook(tmp_path / "bare.ipynb", None, "正文")
    result = CliRunner().invoke(main, ["render", str(bare), "--out", str(tmp_path / "o")])
    assert result.exit_code == 5 and "no front matter" in result.output
