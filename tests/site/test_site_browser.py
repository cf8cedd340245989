"""The site in real headless Chromium over the DevTools Protocol: no console errors, every link
resolves, the offline search works, Chinese text renders (screenshot not blank, font covers it)."""

from __future__ import annotations

import base64
import functools
import io
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from statlib import open_store, registry
from statlib.site import publish

pytestmark = pytest.mark.slow  # headless Chromium over the built site

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-allow-origins=*",
    "--remote-debugging-port=0",
    "--window-size=412,915",
    "--hide-scrollbars",
]


@pytest.fixture(scope="module")
def chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing: .ci/run must apt-get install chromium")
        pytest.skip("no chromium: apt-get install -y --no-install-recommends chromium")
    return CHROMIUM


@pytest.fixture(scope="module")
def served(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from test_site import _hostile_catalogue, _release

    root = tmp_path_factory.mktemp("browser")
    db = root / "site.duckdb"
    shutil.copy(demo_db, db)
    _hostile_catalogue(db)
    (root / "src").mkdir()
    _release(root / "outputs", root / "src")
    with open_store(str(db), read_only=False) as s:
        pub = registry.register(s, "bulletin", "2023-11", "public", "十一月")
        for step in ("reviewed", "approved"):
            registry.advance(s, pub.key, step, "张三")
        assert publish(root / "outputs", s, "2023-11", who="王五").published
    handler = functools.partial(_Quiet, directory=str((root / "outputs" / "site").resolve()))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Browser:
    """One headless Chromium and one page, spoken to over CDP (websocket-client)."""

    def __init__(self, binary: str) -> None:
        import websocket

        self.profile = tempfile.mkdtemp(prefix="statlib-chromium-")
        self.proc = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.is_file() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("chromium did not start")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as r:
            target = next(t for t in json.load(r) if t["type"] == "page")
        self.ws = websocket.create_connection(
            target["webSocketDebuggerUrl"], timeout=30, suppress_origin=True
        )
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def open(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + 30
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            assert time.monotonic() < deadline, f"{url} did not load"
            self.events.append(json.loads(self.ws.recv()))
        self.eval("document.fonts.ready.then(() => true)")

    def eval(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def errors(self) -> list[str]:
        out = []
        for e in self.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append(json.dumps(p.get("args"), ensure_ascii=False))
            elif m == "Runtime.exceptionThrown":
                out.append(json.dumps(p.get("exceptionDetails"), ensure_ascii=False))
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                out.append(f"{p['entry'].get('text', '')} {p['entry'].get('url', '')}")
        return out

    def close(self) -> None:
        self.ws.close()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Browser]:
    b = Browser(chromium)
    yield b
    b.close()


PAGES = [
    "index.html",
    "calendar.html",
    "pub/bulletin-2023-01.html",
    "data/index.html",
    "data/gdp.html",
    "data/evil.html",
]


@pytest.mark.parametrize("page", PAGES)
def test_page_opens_without_errors_and_links_resolve(
    browser: Browser, served: str, page: str
) -> None:
    browser.open(served + page)
    assert browser.errors() == []
    links = browser.eval(
        "Array.from(document.querySelectorAll('[href],[src]')).map(e => e.href || e.src)"
    )
    assert links
    for link in sorted(set(links)):
        assert link.startswith(served), link
        with urllib.request.urlopen(link.split("#")[0]) as r:
            assert r.status == 200, link
    # Hostile labels stayed text: no element the page did not write itself.
    assert (
        browser.eval(
            "document.querySelectorAll('svg, iframe, object, [onerror], "
            "[onload], script:not([src])').length"
        )
        == 0
    )


def test_search_finds_gdp(browser: Browser, served: str) -> None:
    browser.open(served + "data/index.html")
    found = browser.eval("""(() => {
        const q = document.getElementById('q');
        q.value = '生产总值';
        q.dispatchEvent(new Event('input', {bubbles: true}));
        return Array.from(document.querySelectorAll('#results a')).map(a => a.textContent);
    })()""")
    assert found[0] == "地区生产总值"
    assert browser.eval("document.querySelector('#results a').getAttribute('href')") == "gdp.html"
    alias = browser.eval("window.statlibSearch('GDP').map(e => e.c)")
    assert alias[0] == "gdp"
    assert browser.errors() == []


def test_chinese_text_renders(browser: Browser, served: str) -> None:
    from fontTools.ttLib import TTFont
    from PIL import Image, ImageStat

    from statlib.fonts import font_files

    browser.open(served + "data/gdp.html")
    assert browser.eval("document.fonts.check('16px \"Statlib Sans SC\"', '地区生产总值')")
    assert browser.eval(
        "Array.from(document.fonts).some(f => f.family.includes('Statlib') "
        "&& f.status === 'loaded')"
    )
    text = browser.eval("document.body.innerText")
    cmap = TTFont(str(font_files()["sans"])).getBestCmap()
    missing = sorted({c for c in text if not c.isspace() and ord(c) not in cmap})
    assert missing == [], "characters without a glyph (would be tofu)"
    shot = base64.b64decode(browser.call("Page.captureScreenshot", format="png")["data"])
    image = Image.open(io.BytesIO(shot)).convert("L")
    stat = ImageStat.Stat(image)
    assert stat.stddev[0] > 20, "the screenshot is blank"
    dark = sum(image.histogram()[:128])
    assert dark > 0.01 * image.width * image.height, "almost no text drawn"
