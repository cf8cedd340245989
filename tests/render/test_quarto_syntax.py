"""The notebooks are written the way Quarto reads them too: every cross-reference is a pandoc
citation (a Cite node, not text glued to the character before it), every one names a label the
notebook defines, and every front-matter key is one Quarto documents or sits under ``statlib:``.

Quarto itself is not installed here: what is checked is pandoc's own parse (the reader Quarto
uses), with the pandoc binary the renderer runs.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from statlib.render._pandoc import READER, pandoc_path
from statlib.render.frontmatter import QUARTO_KEYS, parse_front_matter

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(
    p.relative_to(ROOT).as_posix()
    for p in (ROOT / "notebooks").rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)
_LABEL = re.compile(r"^#\|\s*label:\s*((?:fig|tbl)-[\w-]+)\s*$", re.MULTILINE)
_GLUED = re.compile(r"@(?:fig|tbl)-")
_NUMBERED = re.compile(r"^#\|\s*(?:fig|tbl)-cap:\s*([表图]\s*\d+(?:-\d+)?)", re.MULTILINE)


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _walk(node: Any, found: dict[str, list[str]]) -> None:
    """Cite ids (fig-/tbl-) and Str texts with a left-over @fig-/@tbl- in a pandoc JSON tree."""
    if isinstance(node, dict):
        if node.get("t") == "Cite":
            found["cites"] += [c["citationId"] for c in node["c"][0]]
            return
        if node.get("t") == "Str" and _GLUED.search(node["c"]):
            found["glued"].append(node["c"])
        if node.get("t") == "Link" and _GLUED.search(json.dumps(node, ensure_ascii=False)):
            found["glued"].append("link:" + json.dumps(node["c"][1], ensure_ascii=False))
            return
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, list):
        for value in node:
            _walk(value, found)


def _markdown_json(text: str) -> Any:
    out = subprocess.run(
        [pandoc_path(), "-f", "markdown", "-t", "json"],
        input=text.encode(),
        capture_output=True,
        check=True,
    )
    return json.loads(out.stdout)


def problems(nb: dict[str, Any], name: str) -> list[str]:
    """What Quarto would read differently in the notebook ``nb`` (empty: nothing)."""
    out = subprocess.run(
        [pandoc_path(), "-f", READER, "-t", "json"],
        input=json.dumps(nb).encode(),
        capture_output=True,
        check=True,
    )
    found: dict[str, list[str]] = {"cites": [], "glued": []}
    _walk(json.loads(out.stdout), found)
    labels: set[str] = set()
    numbered: list[str] = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            labels |= set(_LABEL.findall(_source(cell)))
            numbered += _NUMBERED.findall(_source(cell))
            # the Markdown the code writes (doc.say("…见[@tbl-main]。")): its string literals
            for literal in re.findall(
                r'"((?:[^"\\\n]|\\.)*@(?:fig|tbl)-(?:[^"\\\n]|\\.)*)"', _source(cell)
            ):
                _walk(_markdown_json(literal), found)
    msgs = [f"{name}: reference glued to the text before it: {g!r}" for g in found["glued"]]
    msgs += [
        f"{name}: [@{c}] names no `#| label: {c}` in this notebook"
        for c in found["cites"]
        if c.startswith(("fig-", "tbl-")) and c not in labels
    ]
    msgs += [
        f"{name}: a caption carries its own number (Quarto numbers it): {n!r}" for n in numbered
    ]
    first = nb["cells"][0] if nb["cells"] else None
    if first is not None and first["cell_type"] == "raw":
        data = yaml.safe_load(_source(first).strip().strip("-")) or {}
        msgs += [
            f"{name}: front-matter key {k!r} is neither Quarto's nor under statlib:"
            for k in data
            if k not in QUARTO_KEYS and k != "statlib"
        ]
        if data.get("lang") != "zh":
            msgs.append(f"{name}: front matter has no lang: zh")
        if (data.get("execute") or {}).get("echo") is not False:
            msgs.append(f"{name}: front matter has no execute: {{echo: false}}")
    return msgs


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_notebook_reads_the_same_under_quarto(path: str) -> None:
    nb = json.loads((ROOT / path).read_text(encoding="utf-8"))
    assert problems(nb, path) == []


def test_the_notebooks_have_references() -> None:
    cites = 0
    for path in NOTEBOOKS:
        text = (ROOT / path).read_text(encoding="utf-8")
        cites += len(re.findall(r"\[@(?:fig|tbl)-", text))
    assert len(NOTEBOOKS) == 15 and cites == 20


_FRONT = "---\ntitle: 标题\nlang: zh\nexecute:\n  echo: false\nstatlib:\n  series: bulletin\n---"


def _nb(front: str, markdown: str, code: str = "#| label: tbl-main\nx = 1") -> dict[str, Any]:
    cells = [
        {"cell_type": "raw", "metadata": {}, "source": front},
        {"cell_type": "markdown", "metadata": {}, "source": markdown},
        {
            "cell_type": "code",
            "metadata": {},
            "source": code,
            "outputs": [],
            "execution_count": None,
        },
    ]
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


@pytest.mark.parametrize(
    ("front", "markdown", "code", "expected"),
    [
        (_FRONT, "主要指标见[@tbl-main]。", "#| label: tbl-main\nx = 1", []),
        (_FRONT, "见[@tbl-main; @tbl-main]。", "#| label: tbl-main\nx = 1", []),
        (_FRONT, "主要指标见@tbl-main。", "#| label: tbl-main\nx = 1", ["glued"]),
        (_FRONT, "见[@tbl-none]。", "#| label: tbl-main\nx = 1", ["tbl-none"]),
        (_FRONT, "正文。", 'doc.say("见@fig-a。")', ["glued"]),
        (_FRONT, "正文。", '#| label: fig-a\ndoc.say("见[@fig-a]。")', []),
        (_FRONT.replace("statlib:\n  series", "series"), "正文。", "x = 1", ["'series'"]),
        (_FRONT.replace("lang: zh\n", ""), "正文。", "x = 1", ["lang: zh"]),
        (_FRONT.replace("  echo: false", "  echo: true"), "正文。", "x = 1", ["echo: false"]),
        (_FRONT, "见[@tbl-main]。", "#| label: tbl-main\n#| tbl-cap: 表1-1 人口\nx = 1", ["表1-1"]),
        (_FRONT, "见[@tbl-main]。", "#| label: tbl-main\n#| tbl-cap: 年末人口\nx = 1", []),
    ],
)
def test_bad_notebooks_fail(front: str, markdown: str, code: str, expected: list[str]) -> None:
    found = problems(_nb(front, markdown, code), "x.ipynb")
    assert len(found) == len(expected), found
    for msg, word in zip(found, expected, strict=True):
        assert word in msg


@pytest.mark.parametrize(
    ("front", "series", "formats", "unit"),
    [
        # Quarto's format mapping and the statlib: namespace
        (
            "title: t\nformat:\n  html: default\n  pdf: default\nstatlib:\n  series: bulletin\n"
            "  unit: 某统计局",
            "bulletin",
            ("html", "pdf"),
            "某统计局",
        ),
        # the older top-level keys and formats: still read
        ("title: t\nseries: yearbook\nformats: [html, docx]", "yearbook", ("html", "docx"), None),
        ("title: t\nformat: html\nstatlib: {series: bulletin}", "bulletin", ("html",), None),
        # a top-level key (a build's stamp) wins over the namespace
        ("title: t\nunit: 甲\nstatlib: {series: bulletin, unit: 乙}", "bulletin", (), "甲"),
    ],
)
def test_front_matter_forms(
    front: str, series: str, formats: tuple[str, ...], unit: str | None
) -> None:
    fm = parse_front_matter(f"---\n{front}\n---", "x.ipynb")
    assert (fm.series, fm.formats, fm.unit) == (series, formats, unit)


def test_bad_namespace_names_the_notebook() -> None:
    from statlib.errors import RenderError

    with pytest.raises(RenderError, match=r"x\.ipynb: front matter 'statlib' must be a mapping"):
        parse_front_matter("---\ntitle: t\nstatlib: bulletin\n---", "x.ipynb")
