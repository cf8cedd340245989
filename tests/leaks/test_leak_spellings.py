"""S3 by spelling: every spelling a reader could read, planted in every file kind it can occur
in, is found (issue 11 item 7). One secret per spelling, so a hit tells which spelling was
read; one file per kind holding all its spellings, PDF and DOCX made by the project's renderer
(pandoc → Typst → PDF, pandoc → DOCX)."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
import opencc
from openpyxl import Workbook

from statlib.leaks import Secret, scan
from statlib.render import render

TEXT, ATTR, B64 = "text", "attribute", "base64"
INVISIBLE = {
    "ZWSP": "\u200b",
    "ZWNJ": "\u200c",
    "ZWJ": "\u200d",
    "BOM": "\ufeff",
    "soft hyphen": "\u00ad",
    "word joiner": "\u2060",
}
TRADES = [
    "蓝雀",
    "青鸾",
    "白鹭",
    "红隼",
    "金雕",
    "苍鹰",
    "银鸥",
    "紫燕",
    "黄鹂",
    "绿鹦",
    "灰鹤",
    "赤狐",
    "黑鸢",
    "雪鸮",
    "岩鸽",
    "锦鸡",
    "翠鸟",
    "云雀",
    "沙燕",
    "林鸮",
]
TRADITIONAL = opencc.OpenCC("s2t")


@dataclass(frozen=True)
class Spelling:
    name: str
    where: str  # TEXT: any text; ATTR: an HTML/SVG attribute; B64: a base64 payload
    secret: Secret
    text: str  # what is written


def _spellings() -> list[Spelling]:
    out: list[Spelling] = []

    def revenue(i: int) -> Secret:  # an enterprise's revenue in 万元, at one decimal
        return Secret(f"{2_235_133 + 7_919 * i}.8", f"S {i}", "enterprise", exact=True, unit="万元")

    def name(i: int) -> Secret:
        return Secret(f"云川市{TRADES[i % len(TRADES)]}测试化工有限公司", f"S {i}", "enterprise")

    def add(
        label: str, where: str, make: Callable[[int], Secret], text: Callable[[Secret], str]
    ) -> None:
        secret = make(len(out))
        out.append(Spelling(label, where, secret, text(secret)))

    add("number", TEXT, revenue, lambda s: s.value)
    add("grouped", TEXT, revenue, lambda s: f"{float(s.value):,.1f}")
    add(
        "full-width digits",
        TEXT,
        revenue,
        lambda s: s.value.translate(str.maketrans("0123456789.", "０１２３４５６７８９．")),
    )
    add("trailing zero", TEXT, revenue, lambda s: s.value + "0")
    add("万元 as 亿元 (2 decimals)", TEXT, revenue, lambda s: f"{float(s.value) / 1e4:.2f}亿元")
    add("万元 as 亿元 (1 decimal)", TEXT, revenue, lambda s: f"{float(s.value) / 1e4:.1f} 亿元")
    add(
        "亿元 as 万元",
        TEXT,
        lambda i: Secret(f"{1000 + 37 * i}.{10 + i}", f"S {i}", "observation", unit="亿元"),
        lambda s: f"{round(float(s.value) * 1e4)}万元",
    )
    for label, char in INVISIBLE.items():
        add(f"number with {label}", TEXT, revenue, lambda s, c=char: s.value[:4] + c + s.value[4:])
    add(
        "old period beside its region",
        TEXT,
        lambda i: Secret(
            f"{40 + i}.61", f"S {i}", "observation", unit="亿元", near=("黑河旗",), sure=5
        ),
        lambda s: f"黑河旗规上工业增加值{s.value}亿元",
    )
    add("name", TEXT, name, lambda s: s.value)
    add("name with ZWSP", TEXT, name, lambda s: "\u200b".join(s.value))
    add("name with soft hyphens", TEXT, name, lambda s: "\u00ad".join(s.value))
    add("short name", TEXT, name, lambda s: s.value[3:-4])
    add("name without place", TEXT, name, lambda s: s.value[3:])
    add("traditional name", TEXT, name, lambda s: TRADITIONAL.convert(s.value))
    add("traditional short name", TEXT, name, lambda s: TRADITIONAL.convert(s.value[3:-4]))
    add("number in width=", ATTR, revenue, lambda s: f'width="{s.value}"')
    add("number in x=", ATTR, revenue, lambda s: f'x="{s.value}"')
    add("number in data-*", ATTR, revenue, lambda s: f'data-total="{s.value}"')
    add("base64 number", B64, revenue, lambda s: base64.b64encode(s.value.encode()).decode())
    add("base64 name", B64, name, lambda s: base64.b64encode(s.value.encode("utf-8")).decode())
    add(
        "base64 JSON",
        B64,
        revenue,
        lambda s: base64.b64encode(json.dumps({"v": float(s.value)}).encode()).decode(),
    )
    return out


SPELLINGS = _spellings()


# -- one file per kind ---------------------------------------------------------------------
def _html(tmp: Path, sp: list[Spelling]) -> Path:
    body = []
    for s in sp:
        if s.where == TEXT:
            body.append(f"<p>{s.text}</p>")
        elif s.where == ATTR:
            body.append(f"<div {s.text}>图</div>")
        else:
            body.append(f'<div data-payload="{s.text}"></div>')
    path = tmp / "page.html"
    path.write_text(f"<html><body>{''.join(body)}</body></html>", encoding="utf-8")
    return path


def _svg(tmp: Path, sp: list[Spelling]) -> Path:
    parts = []
    for i, s in enumerate(sp):
        if s.where == TEXT:
            parts.append(f'<text x="10" y="{20 * i}">{s.text}</text>')
        elif s.where == ATTR:
            parts.append(f'<rect {s.text} y="5" height="3"/>')
        else:
            parts.append(f'<g data-payload="{s.text}"/>')
    path = tmp / "chart.svg"
    path.write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>', encoding="utf-8"
    )
    return path


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + kind
        + body
        + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )


def _png(tmp: Path, sp: list[Spelling]) -> Path:
    chunks = [_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))]
    for i, s in enumerate(sp):
        try:
            latin = s.text.encode("latin-1")
        except UnicodeEncodeError:
            latin = None
        if latin is not None and i % 2:
            chunks.append(_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(latin)))
        elif latin is not None:
            chunks.append(_chunk(b"tEXt", b"Description\0" + latin))
        else:
            chunks.append(
                _chunk(b"iTXt", b"Title\0\1\0zh\0\0" + zlib.compress(s.text.encode("utf-8")))
            )
    chunks += [_chunk(b"IDAT", zlib.compress(b"\0\0")), _chunk(b"IEND", b"")]
    path = tmp / "chart.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"".join(chunks))
    return path


def _rendered(tmp: Path, sp: list[Spelling], fmt: str) -> Path:
    nb = nbformat.v4.new_notebook()
    front = "---\ntitle: 测试简报\nseries: bulletin\nunit: 云川市统计局\nedition: internal\n---"
    nb.cells = [
        nbformat.v4.new_raw_cell(front),
        *(nbformat.v4.new_markdown_cell(f"第{i}项：{s.text}。") for i, s in enumerate(sp)),
    ]
    path = tmp / f"memo-{fmt}.ipynb"
    nbformat.write(nb, path)
    return render(path, [fmt], edition="internal", out=tmp / fmt)[fmt]


def _pdf(tmp: Path, sp: list[Spelling]) -> Path:
    return _rendered(tmp, sp, "pdf")


def _docx(tmp: Path, sp: list[Spelling]) -> Path:
    return _rendered(tmp, sp, "docx")


def _xlsx(tmp: Path, sp: list[Spelling]) -> Path:
    wb = Workbook()
    ws = wb.active
    for i, s in enumerate(sp, 1):
        ws.cell(i, 1, f"第{i}项")
        ws.cell(i, 2, s.text)
    path = tmp / "table.xlsx"
    wb.save(path)
    return path


def _csv(tmp: Path, sp: list[Spelling]) -> Path:
    path = tmp / "table.csv"
    path.write_text(
        "项,值\n" + "".join(f'{i},"{s.text}"\n' for i, s in enumerate(sp)), encoding="utf-8"
    )
    return path


def _json(tmp: Path, sp: list[Spelling]) -> Path:
    path = tmp / "data.json"  # ASCII-escaped, as json.dumps writes by default
    path.write_text(
        json.dumps({"rows": [{"i": i, "v": s.text} for i, s in enumerate(sp)]}), encoding="ascii"
    )
    return path


def _ipynb(tmp: Path, sp: list[Spelling]) -> Path:
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("show()", execution_count=1)
    code.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": s.text}) for s in sp]
    nb.cells = [code]
    path = tmp / "run.ipynb"
    nbformat.write(nb, path)
    return path


def _js(tmp: Path, sp: list[Spelling]) -> Path:
    lines = [
        f"const v{i} = {json.dumps(s.text, ensure_ascii=i % 2 == 0)};" for i, s in enumerate(sp)
    ]
    path = tmp / "app.js"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


KINDS: dict[str, tuple[Callable[[Path, list[Spelling]], Path], set[str]]] = {
    "HTML": (_html, {TEXT, ATTR, B64}),
    "SVG": (_svg, {TEXT, ATTR, B64}),
    "PNG": (_png, {TEXT}),
    "PDF": (_pdf, {TEXT}),
    "DOCX": (_docx, {TEXT}),
    "XLSX": (_xlsx, {TEXT}),
    "CSV": (_csv, {TEXT}),
    "JSON": (_json, {TEXT, B64}),
    "ipynb": (_ipynb, {TEXT, B64}),
    "JS": (_js, {TEXT, B64}),
}


def test_every_spelling_in_every_kind_is_found(tmp_path: Path) -> None:
    secrets = [s.secret for s in SPELLINGS]
    planted = found = 0
    lines, missing = [], []
    for kind, (make, wheres) in KINDS.items():
        chosen = [s for s in SPELLINGS if s.where in wheres]
        folder = tmp_path / kind
        folder.mkdir()
        path = make(folder, chosen)
        seen = {h.label for h in scan([path], secrets)}
        hit = [s for s in chosen if s.secret.label in seen]
        missing += [f"{kind}: {s.name}" for s in chosen if s.secret.label not in seen]
        planted, found = planted + len(chosen), found + len(hit)
        lines.append(f"S3 {kind}: planted {len(chosen)}, found {len(hit)}")
    print(f"\nS3: {planted} spellings planted in {len(KINDS)} file kinds, {found} found")
    print("\n".join(lines))
    assert missing == []


def test_spellings_are_not_found_where_they_are_not(tmp_path: Path) -> None:
    """The looser spellings need their evidence: an old figure far from its region, a 亿元
    rounding not followed by 亿元, two table cells side by side, a coordinate of a chart."""
    old = Secret("40.61", "old", near=("黑河旗",), sure=5)
    scaled = Secret("2235133.8", "scaled", exact=True, unit="万元")
    short = Secret("31456.7", "cells")
    path = tmp_path / "page.html"
    path.write_text(
        "<p>黑河旗</p>" + "<p>其他指标的说明文字。</p>" * 40 + "<td>40.61</td><td>223.51</td>"
        "<td>31 456.7</td><svg><path d='M 31456.7 2'/></svg>",
        encoding="utf-8",
    )
    assert scan([path], [old, scaled, short]) == []
