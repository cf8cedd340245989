"""S6 extended to publications (issue 11): hostile labels from data stay text in HTML, DOCX and
WeChat — no active link, no element or attribute that runs, no local file embedded.

The store's indicator names, units, definitions, scopes, sources and region names all carry
Markdown and HTML payloads (a ``javascript:`` link, an image of a local file of the build
machine, an ``onerror`` image, an ``onclick`` span, an autolink, a raw ``<a>``); the real
bulletin and a probe notebook that interpolates labels carelessly (raw Markdown, a DataFrame's
HTML) are executed by ``statlib preview`` and rendered as the public edition.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import nbformat
import pytest

from statlib.authoring import preview
from statlib.render import render

CANARY = "LOCAL-FILE-CANARY-7f3a"


def payload(local: Path) -> str:
    return (
        f"[点我](javascript:alert(1))![x]({local})<img src=x onerror=alert(1)>"
        f"[s]{{onclick=alert(1)}}<javascript:alert(2)><a href='javascript:alert(3)'>a</a>"
        f"![y](file://{local})[z](https://evil.example/)"
    )


class Elements(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))


def active_links(html: str) -> list[str]:
    """Anything in ``html`` that a browser or the WeChat editor would follow or run."""
    found = []
    for tag, attrs in Elements(html).elements:
        if tag in ("script", "iframe", "object", "embed", "form", "base", "frame"):
            found.append(tag)
        for key, value in attrs.items():
            flat = re.sub(r"\s+", "", value).lower()
            if key.startswith("on") or "javascript:" in flat or "vbscript:" in flat:
                found.append(f"{tag} {key}={value[:40]}")
            elif key in ("href", "action", "formaction", "xlink:href") and not value.startswith(
                "#"
            ):
                found.append(f"{tag} {key}={value[:40]}")
            elif key in ("src", "srcset", "poster", "data") and not flat.startswith("data:image/"):
                found.append(f"{tag} {key}={value[:40]}")
    return found


def embedded_local(data: bytes, own: set[str]) -> list[str]:
    """Images in an HTML page whose bytes are not one of the notebook's own outputs."""
    text = data.decode("utf-8")
    bad = [CANARY] if CANARY in text else []  # ("file:" as text is the label itself)
    for uri in re.findall(r"data:image/[a-z+]+;base64,([A-Za-z0-9+/=]+)", text):
        raw = base64.b64decode(uri)
        if CANARY.encode() in raw or hashlib.sha256(raw).hexdigest() not in own:
            bad.append("data URI " + hashlib.sha256(raw).hexdigest()[:12])
    return bad


def own_images(executed: Path) -> set[str]:
    """sha256 of every image output and attachment of the executed notebook."""
    nb = nbformat.read(executed, as_version=4)
    out = set()
    for cell in nb.cells:
        bundles = [o.get("data", {}) for o in cell.get("outputs", [])]
        bundles += list((cell.get("attachments") or {}).values())
        for data in bundles:
            for mime, value in data.items():
                if mime.startswith("image/"):
                    raw = value.encode() if mime == "image/svg+xml" else base64.b64decode(value)
                    out.add(hashlib.sha256(raw).hexdigest())
    return out


def docx_findings(path: Path, own: set[str]) -> tuple[list[str], list[str]]:
    links, local = [], []
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
        for name in z.namelist():
            data = z.read(name)
            if CANARY.encode() in data:
                local.append(name)
            if name.startswith("word/media/") and hashlib.sha256(data).hexdigest() not in own:
                local.append(name)
            if name.endswith(".rels"):
                for rel in re.findall(rb"<Relationship [^>]*>", data):
                    if b'TargetMode="External"' in rel:
                        links.append(rel.decode()[:80])
            if name == "word/document.xml":
                links += [
                    m.decode() for m in re.findall(rb"<w:instrText[^>]*>[^<]*HYPERLINK", data)
                ]
    return links, local


PROBE = """\
#| echo: false
import pandas as pd
from IPython.display import Markdown, display

import statlib
from statlib import report
from statlib.tables import Table, col

store = statlib.open_store(edition=edition)
ind = store.indicator("ind_va_cum_growth")
reg = store.region(region)
# an author interpolating labels without escaping them: raw Markdown and a DataFrame's HTML
display(Markdown(f"## {reg.name}\\n\\n{ind.name}（{ind.unit}）{ind.definition}"))
display(pd.DataFrame({"指标": [ind.name, reg.name], "值": [1.5, 2.5]}))
display(Table("表1 " + ind.name).columns(col("值", 1)).row(reg.name, [1.5], unit=ind.unit))
display(Markdown(report.notes(store, ["ind_va_cum_growth"])))
"""


def probe_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        "period = '2023-11'\nregion = '990200'\nedition = 'internal'"
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_raw_cell("---\ntitle: 标签探针\nseries: bulletin\n---"),
        params,
        nbformat.v4.new_code_cell(PROBE),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


@pytest.fixture()
def hostile_store(db_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    local = tmp_path / "local.svg"
    local.write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg"><text>{CANARY}</text></svg>', encoding="utf-8"
    )
    hostile = payload(local)
    with duckdb.connect(str(db_copy)) as con:
        con.execute(
            # a rate's unit is % by its kind (describe refuses anything else, naming it)
            "UPDATE indicator SET name = name || $h, "
            "unit = CASE WHEN unit = '%' THEN unit ELSE coalesce(unit, '') || $h END, "
            "definition = coalesce(definition, '') || $h, scope = coalesce(scope, '') || $h, "
            "source = coalesce(source, '') || $h",
            {"h": hostile},
        )
        con.execute("UPDATE region SET name = name || $h", {"h": hostile})
    monkeypatch.setenv("STATLIB_DB", str(db_copy))
    monkeypatch.setenv("STATLIB_OUTPUTS", str(tmp_path / "outputs"))
    monkeypatch.setenv("STATLIB_WORK", str(tmp_path / "work"))
    return db_copy


@pytest.mark.slow  # every publication on a hostile catalogue
def test_s6_hostile_labels_in_publications(hostile_store: Path, tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    notebooks = [root / "notebooks" / "bulletin.ipynb", probe_notebook(tmp_path / "probe.ipynb")]
    pages = links = local = 0
    findings: list[str] = []
    for notebook in notebooks:
        out = tmp_path / "out" / notebook.stem
        executed = preview(notebook, parameters={"edition": "public"}, out=out)["ipynb"]
        text = executed.read_text(encoding="utf-8")
        assert "javascript:alert(1)" in text, "the hostile labels reached the notebook"
        made = render(executed, ["html", "docx", "wechat"], edition="public", out=out)
        own = own_images(executed)
        for fmt in ("html", "wechat"):
            data = made[fmt].read_bytes()
            html = data.decode("utf-8")
            assert "点我" in html and "javascript:alert(1)" in html, f"{fmt}: labels kept as text"
            found = active_links(html)
            bad = embedded_local(data, own)
            findings += [f"{notebook.stem} {fmt}: {f}" for f in found + bad]
            links += len(found)
            local += len(bad)
            pages += 1
        found, bad = docx_findings(made["docx"], own)
        findings += [f"{notebook.stem} docx: {f}" for f in found + bad]
        links += len(found)
        local += len(bad)
        pages += 1
    assert findings == []
    print(
        f"\nS6: {pages} publications ({len(notebooks)} notebooks × HTML, DOCX, WeChat) with "
        f"hostile labels in HTML, DOCX, WeChat: {links} active links, {local} embedded local "
        "files"
    )
