"""Tables on a 390 × 844 phone in headless Chromium (DevTools Protocol): the HTML bulletin's 附表
and a yearbook chapter's tables scroll inside their wrapper, never the page; the row labels (the
first cell of each row) stay in view and on top after the wrapper is scrolled to its end; the
caption wraps within the viewport; figures and units never wrap. Screenshots (before and after
scrolling) are written to pytest's tmp dir.
"""

from __future__ import annotations

import base64
import functools
import importlib.util
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from statlib import fonts
from statlib.authoring import preview
from statlib.render import render
from statlib.yearbook.assembly import BookResult

pytestmark = pytest.mark.slow  # headless Chromium

ROOT = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 390, 844


def _browser_module() -> Any:
    """tests/site/test_site_browser.py's Chromium driver (one CDP client for the suite)."""
    folder = ROOT / "tests" / "site"
    if str(folder) not in sys.path:  # test_site_browser imports its neighbour test_site
        sys.path.insert(0, str(folder))
    path = folder / "test_site_browser.py"
    spec = importlib.util.spec_from_file_location("statlib_test_site_browser", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SB = _browser_module()
chromium = SB.chromium  # the fixture: skips (or fails in CI) without chromium
served = SB.served  # the site with a published release, over HTTP


@pytest.fixture(scope="module")
def phone(chromium: str) -> Iterator[Any]:
    browser = SB.Browser(chromium)
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        width=WIDTH,
        height=HEIGHT,
        deviceScaleFactor=1,
        mobile=True,
    )
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def bulletin_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("phone")
    executed = preview(
        ROOT / "notebooks" / "bulletin.ipynb",
        parameters={"region": "990200", "period": "2023-10"},
        to=("html",),
        out=out,
    )["ipynb"]
    # the shipped fonts embedded: the machine may have no CJK font of its own
    return render(executed, ["html"], out=out, self_contained=True)["html"]


@pytest.fixture(params=["bulletin", "yearbook", "portal"])
def page(request: pytest.FixtureRequest) -> tuple[str, str, str]:
    """(name, URL, the tables' scrolling wrapper) of a page with wide tables."""
    if request.param == "bulletin":
        path: Path = request.getfixturevalue("bulletin_html")
        return "bulletin", path.as_uri(), ".table-wrap"
    if request.param == "yearbook":
        book: BookResult = request.getfixturevalue("yearbook_book")
        chapter = next(p for p in book.pages if p.name == "07.html")  # 表7-1 … 7-4
        return "yearbook-07", chapter.as_uri(), ".table-wrap"
    return "portal-gdp", request.getfixturevalue("served") + "data/gdp.html", ".scroll"


MEASURE = """((WRAP) => {
  const vw = document.documentElement.clientWidth;
  const out = {vw, doc: document.documentElement.scrollWidth, tables: []};
  for (const wrap of document.querySelectorAll(WRAP)) {
    const w = wrap.getBoundingClientRect();
    const cap = wrap.querySelector('caption');
    const c = cap ? cap.getBoundingClientRect() : null;
    const rows = Array.from(wrap.querySelectorAll('tbody tr'));
    const figures = Array.from(wrap.querySelectorAll('tbody td:not(:first-child)'))
      .filter(td => td.textContent.trim());
    const wrapped = figures.filter(td => {
      const r = document.createRange(); r.selectNodeContents(td);
      const tops = new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top)));
      return tops.size > 1;
    }).map(td => td.textContent);
    wrap.scrollIntoView();
    wrap.scrollLeft = wrap.scrollWidth;
    const labels = rows.map(tr => {
      const cell = tr.firstElementChild; const r = cell.getBoundingClientRect();
      const y = Math.min(Math.max(r.top + r.height / 2, 1), window.innerHeight - 1);
      const hit = document.elementFromPoint(r.left + Math.min(8, r.width / 2), y);
      return {text: cell.textContent, left: r.left, right: r.right,
              onTop: !!hit && (hit === cell || cell.contains(hit)),
              inView: r.top >= 0 && r.bottom <= window.innerHeight};
    });
    out.tables.push({
      caption: cap ? cap.textContent : '', capLeft: c ? c.left : 0, capRight: c ? c.right : 0,
      capCut: cap ? cap.scrollWidth > cap.clientWidth + 1 : false,
      wrapLeft: w.left, scrolled: wrap.scrollLeft, overflow: wrap.scrollWidth - wrap.clientWidth,
      labels, wrapped,
    });
    wrap.scrollLeft = 0;
  }
  return out;
})"""


@functools.cache
def _font_css() -> str:
    """The shipped faces as @font-face rules (the machine may have no CJK font of its own;
    the yearbook's pages name the faces and leave them to the reader's system)."""
    rules = []
    for key, family, weight in (
        ("sans", fonts.SANS, 400),
        ("sans-bold", fonts.SANS, 700),
        ("serif", fonts.SERIF, 400),
        ("serif-bold", fonts.SERIF, 700),
    ):
        data = base64.b64encode(fonts.font_files()[key].read_bytes()).decode("ascii")
        rules.append(
            f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
            f'src: url(data:font/otf;base64,{data}) format("opentype"); }}'
        )
    return "\n".join(rules)


def _open(phone: Any, url: str) -> None:
    phone.open(url)
    css = json.dumps(_font_css())
    phone.eval(
        f"(() => {{ const s = document.createElement('style'); s.textContent = {css};"
        " document.head.appendChild(s); return true; })()"
    )
    phone.eval(
        "Promise.all([document.fonts.load('16px \"Statlib Sans SC\"', '表'),"
        " document.fonts.load('16px \"Statlib Serif SC\"', '表')])"
        ".then(() => document.fonts.ready).then(() => true)"
    )


def _shot(phone: Any, path: Path) -> None:
    # two frames: what was scrolled is painted before the capture
    phone.eval("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(1))))")
    data = base64.b64decode(phone.call("Page.captureScreenshot", format="png")["data"])
    path.write_bytes(data)


def test_tables_on_a_phone(phone: Any, page: tuple[str, str, str], tmp_path: Path) -> None:
    from PIL import Image

    name, url, wrap = page
    _open(phone, url)
    sel = json.dumps(wrap)
    assert phone.eval(f"document.querySelector({sel}).scrollIntoView(), true")
    _shot(phone, tmp_path / f"{name}-table.png")
    m = phone.eval(f"{MEASURE}({sel})")
    assert m["vw"] == WIDTH
    assert m["doc"] <= WIDTH, "the page itself scrolls sideways"
    assert m["tables"], "no table found"
    wide = [t for t in m["tables"] if t["overflow"] > 0]
    assert wide, "no table is wider than the phone: the test would prove nothing"
    for t in m["tables"]:
        title = t["caption"][:12]
        assert 0 <= t["capLeft"] and t["capRight"] <= WIDTH, f"{title}: caption cut"
        assert not t["capCut"], f"{title}: caption cut"
        assert t["wrapped"] == [], f"{title}: figures wrapped"
        for label in t["labels"]:
            assert label["left"] >= t["wrapLeft"] - 0.5, f"{title}: {label['text']} scrolled away"
            assert label["right"] <= WIDTH, f"{title}: {label['text']} beyond the screen"
            if label["inView"]:
                assert label["onTop"], f"{title}: {label['text']} covered by the figures"
    # a screenshot after scrolling the first wide table to its end shows its labels
    phone.eval(
        f"(() => {{ const w = Array.from(document.querySelectorAll({sel}))"
        ".find(w => w.scrollWidth > w.clientWidth); w.scrollIntoView();"
        " w.scrollLeft = w.scrollWidth; return true; })()"
    )
    _shot(phone, tmp_path / f"{name}-scrolled.png")
    image = Image.open(io.BytesIO((tmp_path / f"{name}-scrolled.png").read_bytes()))
    assert image.size == (WIDTH, HEIGHT)
