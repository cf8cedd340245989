"""Editions through real pandoc: Markdown → JSON AST → ``apply`` → plain / HTML / Typst / DOCX.

The acceptance test of issue 4 item 5 plants seeded secret figures everywhere a digit can hide
(text, table, captions, link title and target, image alt, attributes, code, a footnote, raw
HTML, metadata), renders the masked edition and scans every output byte for them.
"""

from __future__ import annotations

import copy
import io
import json
import random
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import nbformat
import pypandoc
import pytest

from statlib.errors import ConfigError
from statlib.render.editions import apply, mask_text

PANDOC = str(pypandoc.get_pandoc_path())


def pandoc(args: list[str], data: bytes) -> bytes:
    return subprocess.run([PANDOC, *args], input=data, capture_output=True, check=True).stdout


def read_md(markdown: str) -> dict[str, Any]:
    return json.loads(pandoc(["-f", "markdown", "-t", "json"], markdown.encode()))


def write(ast: dict[str, Any], fmt: str) -> str:
    data = json.dumps(ast, ensure_ascii=False).encode()
    return pandoc(["-f", "json", "-t", fmt, "--wrap=none"], data).decode()


def masked(markdown: str, fmt: str = "plain") -> str:
    return write(apply(read_md(markdown), "masked"), fmt).strip()


CASES = [
    # masked: digit by digit, shape kept
    ("增长12.5%", "增长**.*%"),
    ("3.2万家", "*.*万家"),
    ("新入库“四上”单位125家", "新入库“四上”单位***家"),
    ("1,234.56亿元", "*,***.**亿元"),
    ("同比为-5.4", "同比为-*.*"),
    ("居全区第4位", "居全区第*位"),
    ("增长2.7倍", "增长*.*倍"),
    ("回落0.7个百分点", "回落*.*个百分点"),
    ("12.5%的企业", "**.*%的企业"),
    ("2023", "****"),
    ("共2023家", "共****家"),
    ("代表12家企业", "代表**家企业"),
    ("表12家", "表**家"),
    ("截至28日", "截至**日"),
    ("连续5年", "连续*年"),
    ("3个月", "*个月"),
    ("增长7.2 %", "增长*.* %"),
    ("1 234.5亿元", "* ***.*亿元"),
    ("增长**12.5**%", "增长**.*%"),
    ("增长*1*2345年", "增长*****年"),
    ("居全区第四位", "居全区第*位"),
    ("位列全区第四", "位列全区第*"),
    ("排名较上月提升两位", "排名较上月提升*位"),
    ("`df.loc[123]`", "df.loc[***]"),
    ("２０２３家", "****家"),
    # kept: years, dates, periods, issue, table and figure numbers, list numbers, names
    ("2023年", "2023年"),
    ("2019—2023年", "2019—2023年"),
    ("2023年度", "2023年度"),
    ("1—11月", "1—11月"),
    ("11月份", "11月份"),
    ("11月末", "11月末"),
    ("2023年11月28日", "2023年11月28日"),
    ("2023-11-28", "2023-11-28"),
    ("前三季度，一季度，3季度", "前三季度，一季度，3季度"),
    ("第12期", "第12期"),
    ("总第123期", "总第123期"),
    ("第3章 第2节", "第3章 第2节"),
    ("表1", "表1"),
    ("见表2-7", "见表2-7"),
    ("如图3所示", "如图3所示"),
    ("见附表1", "见附表1"),
    ("第一产业增长5.0%", "第一产业增长*.*%"),
    ("比2019年1—11月份增长13.2%", "比2019年1—11月份增长**.*%"),
    ("增长12.5%，比1—10月份回落0.7个百分点", "增长**.*%，比1—10月份回落*.*个百分点"),
    ("1.工业生产增长7.2%", "1.工业生产增长*.*%"),
    ("（1）工业增长7.2%", "（1）工业增长*.*%"),
    ("2、投资增长3%", "2、投资增长*%"),
    ("# 1.1 工业生产", "1.1 工业生产"),
    ("# 3.2 万家企业", "*.* 万家企业"),
    ("PM2.5浓度为35微克", "PM2.5浓度为**微克"),
    ("增速预计在5.1%～9.8%之间（95%预测区间）", "增速预计在*.*%～*.*%之间（95%预测区间）"),
    ("满意率95.3%（95%置信区间为94.1%～96.5%）", "满意率**.*%（95%置信区间为**.*%～**.*%）"),
    ("95%预测区间下限(%)", "95%预测区间下限(%)"),
    ("增长95%", "增长**%"),
    ("5G基站1.2万个", "5G基站*.*万个"),
    ("正文^1^", "正文¹"),
]


@pytest.mark.parametrize(("markdown", "expected"), CASES)
def test_masked_plain(markdown: str, expected: str) -> None:
    assert masked(markdown) == expected


@pytest.mark.parametrize(
    ("markdown", "html", "typst"),
    [
        ("增长12.5%", "<p>增长**.*%</p>", "增长\\*\\*.\\*%"),
        ("2023年1—11月", "<p>2023年1—11月</p>", "2023年1---11月"),
        ("第12期 表2-7", "<p>第12期 表2-7</p>", "第12期 表2-7"),
        ("$x^2+1$", "<em>x</em><sup>*</sup>\u2005+\u2005*", "$x^(*) + *$"),
    ],
)
def test_masked_html_and_typst(markdown: str, html: str, typst: str) -> None:
    assert html in masked(markdown, "html5")
    assert typst in masked(markdown, "typst")


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("3.2 万家", "heading", "*.* 万家"),
        ("1.1 工业", "heading", "1.1 工业"),
        ("1.1 工业", "para", "*.* 工业"),
        ("2023", "head", "2023"),
        ("2023", "para", "****"),
        ("注1：来源", "", "注1：来源"),
    ],
)
def test_mask_text_kinds(text: str, kind: str, expected: str) -> None:
    assert mask_text(text, kind) == expected
    assert len(mask_text(text, kind)) == len(text)


def test_table_cells_caption_and_header_year() -> None:
    md = "| 指标 | 2023 | 2023年 |\n|---|---:|---:|\n| 2023 | 12.5 | -5.4 |\n\n: 表1 指标12.5\n"
    out = masked(md, "html5")
    assert '<th style="text-align: right;">2023</th>' in out  # a year heading a column stays
    assert "<td>****</td>" in out and "**.*" in out and "-*.*" in out
    assert "<caption>表1 指标**.*</caption>" in out


def test_figures_become_tu_lue_with_masked_caption() -> None:
    md = "![图1 增长7.2%](media/chart12.png){#fig-x width=50%}\n\n文中![a12](b34.png)"
    out = masked(md, "html5")
    assert '<figure id="fig-x">' in out and "<p>图略</p>" in out
    assert "<figcaption>图1 增长*.*%</figcaption>" in out
    assert "<img" not in out and "12" not in out and "34" not in out and "50" not in out


def test_ids_links_and_attributes() -> None:
    md = (
        '# 增长7.2%\n\n[回到](#增长7.2) [外部](http://x.cn/a99 "标题12.5") '
        '[无数字](http://x.cn/a "标题8") [x]{#s-55 .c9 .keep data-v="66.5"}\n'
    )
    out = masked(md, "html5")
    assert '<h1 id="masked-a">' in out and '<a href="#masked-a">回到</a>' in out
    assert "a99" not in out and "<span>外部</span>" in out
    assert '<a href="http://x.cn/a" title="标题*">无数字</a>' in out
    assert 'class="keep"' in out and 'data-v="**.*"' in out
    assert not re.search(r"\d", re.sub(r"</?h1", "", out))


def test_raw_content() -> None:
    md = (
        '```{=html}\n<table><tr><td colspan="2">123.4</td></tr></table>\n```\n\n'
        "```{=typst}\n#v(12pt)\n```\n\n```{=html}\n<hr/>\n```\n\n甲`<b>7</b>`{=html}乙\n"
    )
    out = masked(md, "html5")
    assert '<td colspan="2">***.*</td>' in out  # re-read as a real table
    assert "12pt" not in masked(md, "typst") and "<hr/>" in out and "<b>" not in out


def test_meta() -> None:
    md = (
        "---\ntitle: 2023年1—11月全市经济运行\nsubtitle: 增长7.2%\nissue: 12\n"
        "date: 2023-11-28\ntoc-depth: 2\nabstract: 共125家\n---\n\n正文\n"
    )
    meta = apply(read_md(md), "masked")["meta"]
    text = json.dumps(meta, ensure_ascii=False)
    assert "增长*.*%" in text and "共***家" in text and "7.2" not in text
    for kept in ("2023年1—11月", "2023-11-28", '"12"', '"2"'):
        assert kept in text


def test_unknown_edition() -> None:
    with pytest.raises(ConfigError, match=r"edition must be one of internal, public, masked"):
        apply(read_md("x"), "secret")


@pytest.mark.parametrize("edition", ["internal", "public", "masked"])
def test_input_not_mutated(edition: str) -> None:
    ast = read_md("增长7.2% [内部]{.internal-only}\n\n![图1](a.png)\n\n| a |\n|---|\n| 1 |\n")
    before = copy.deepcopy(ast)
    result = apply(ast, edition)
    assert ast == before and result is not ast
    if edition == "internal":
        assert result == ast


def notebook_ast() -> dict[str, Any]:
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"parameters": {"region": "150100"}}
    nb.cells.append(nbformat.v4.new_markdown_cell("公开内容增长7.2%"))
    secret = nbformat.v4.new_markdown_cell("内部备注：数据暂不对外")
    secret.metadata["tags"] = ["internal-only"]
    nb.cells.append(secret)
    nb.cells.append(
        nbformat.v4.new_markdown_cell(
            "::: {.internal-only}\n内部段落\n:::\n\n说明[内部插语]{.internal-only}完"
        )
    )
    data = nbformat.writes(nb).encode()
    reader = "ipynb+fenced_divs+bracketed_spans"
    return json.loads(pandoc(["-f", reader, "-t", "json", "--ipynb-output=all"], data))


def test_public_drops_internal_only() -> None:
    ast = notebook_ast()
    internal = write(apply(ast, "internal"), "plain")
    assert "内部备注" in internal and "内部段落" in internal and "内部插语" in internal
    public = apply(ast, "public")
    text = write(public, "plain")
    assert "公开内容增长7.2%" in text and "说明完" in text
    assert "内部" not in text and "jupyter" not in public["meta"]
    masked_text = write(apply(ast, "masked"), "plain")
    assert "公开内容增长*.*%" in masked_text and "内部" not in masked_text


# ---- acceptance (issue 4, item 5): no digit of a secret survives in any output byte --------


def secret_document(figures: list[str]) -> str:
    a, b, c, d, e, f, g, h, i, j, k, m = figures
    return f"""---
title: 2023年1—11月全市经济运行情况
subtitle: 营业收入{a}亿元
issue: 12
date: 2023-11-28
---

# 一、总体情况：{b}

全市地区生产总值{c}亿元，同比增长{d}%，第12期，见表1。

| 指标 | 2023年1—11月 |
|---|---:|
| 工业增加值 | {e} |
| 固定资产投资 | -{f} |

: 表1 主要指标（合计{g}）

![图1 收入{h}亿元](media/chart.png "{h}")

[查看说明](http://stats.example.cn/{i}.html "标题{i}") 和 ![图标{j}](icon.png)

[注]{{#n-{k} data-value="{k}"}} `x = {k}`[^1]

[^1]: 数据来源：{m}户。

```{{=html}}
<p title="{m}">原始{m}</p>
```
"""


def forms(figure: str) -> list[str]:
    """The digit sequences of a figure to look for: each run of ≥ 4 digits, its decimals."""
    whole, decimals = figure.split(".")
    runs = {whole[x:y] for x in range(len(whole)) for y in range(x + 4, len(whole) + 1)}
    return sorted(runs | {f"{int(whole):,}", decimals, figure})


def outputs(ast: dict[str, Any], tmp: Path) -> dict[str, bytes]:
    data = json.dumps(ast, ensure_ascii=False).encode()
    out = {fmt: pandoc(["-f", "json", "-t", fmt], data) for fmt in ("html5", "typst", "plain")}
    docx = tmp / "x.docx"
    pandoc(["-f", "json", "-o", str(docx)], data)
    with zipfile.ZipFile(io.BytesIO(docx.read_bytes())) as z:
        out |= {f"docx:{n}": z.read(n) for n in z.namelist()}
    out["json"] = data
    return out


def choose_secrets(baseline: dict[str, bytes], n: int, seed: int) -> list[str]:
    """Seeded 5–7 digit figures with 3 decimals whose forms the unsecret output never contains."""
    rng, chosen = random.Random(seed), []
    blob = b"\n".join(baseline.values())
    while len(chosen) < n:
        digits = rng.randint(5, 7)
        figure = f"{rng.randrange(10 ** (digits - 1), 10**digits)}.{rng.randrange(100, 1000)}"
        if not any(f.encode() in blob for f in forms(figure)):
            chosen.append(figure)
    return chosen


def test_no_secret_digit_survives_masking(tmp_path: Path) -> None:
    n = 12
    baseline = outputs(apply(read_md(secret_document(["X"] * n)), "internal"), tmp_path)
    figures = choose_secrets(baseline, n, seed=20231128)
    ast = read_md(secret_document(figures))

    clear = b"\n".join(outputs(apply(ast, "internal"), tmp_path).values())
    assert all(figure.encode() in clear for figure in figures)  # the scan can see them

    result = outputs(apply(ast, "masked"), tmp_path)
    hits = [
        (name, f)
        for name, data in result.items()
        for figure in figures
        for f in forms(figure)
        if f.encode() in data
    ]
    assert hits == [], hits
    assert len(result) > 10  # html, typst, plain, json and every part of the docx

    plain = result["plain"].decode()
    shape = {figure: re.sub(r"\d", "*", figure) for figure in figures}
    a, b, c, d, e, f, g, h, _, _, k, m = figures
    visible = [b, c, d, e, f, g, k, m, m]  # heading, text, table, caption, code, note, raw
    assert f"<figcaption>图1 收入{shape[h]}亿元</figcaption>" in result["html5"].decode()
    found = sorted(re.findall(r"\*[*.]*\*", plain))
    assert found == sorted(shape[x] for x in visible)
    for kept in ("2023年1—11月", "第12期", "表1", "图略"):
        assert kept in plain
    meta = result["json"].decode()
    assert f"营业收入{shape[a]}亿元" in meta and "2023-11-28" in meta
