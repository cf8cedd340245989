"""On a machine without CJK fonts a phone's browser shows the page's Chinese, not tofu.

Chromium renders at 390 px under a fontconfig that lists only DejaVu (no CJK face). Without the
page's web font every Chinese character falls back to the same missing-glyph box, so a page of
"统" and a page of "计" look identical; with the subset faces embedded they differ.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from statlib.render.webfont import with_web_font

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None or not DEJAVU.is_dir():
        if os.environ.get("CI"):
            pytest.fail("CI installs chromium and fonts-dejavu: this test must run there")
        pytest.skip("needs chromium and /usr/share/fonts/truetype/dejavu")
    return path


def _conf(tmp: Path) -> Path:
    conf = tmp / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"<dir>{DEJAVU}</dir>\n<cachedir>{tmp / 'fc-cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    listed = subprocess.run(
        ["fc-list", ":lang=zh"],
        env={**os.environ, "FONTCONFIG_FILE": str(conf)},
        capture_output=True,
        text=True,
    )
    assert listed.returncode != 0 or listed.stdout.strip() == ""  # no CJK face at all
    return conf


def _shot(chromium: str, conf: Path, page: bytes, path: Path) -> Image.Image:
    html = path.with_suffix(".html")
    html.write_bytes(page)
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=390,300",
            f"--screenshot={path}",
            html.as_uri(),
        ],
        env={**os.environ, "FONTCONFIG_FILE": str(conf)},
        capture_output=True,
        timeout=120,
        check=True,
    )
    return Image.open(path).convert("RGB")


def _page(char: str) -> bytes:
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>'
        'body { margin: 0; font: 700 64px "Statlib Sans SC", sans-serif; }</style></head>'
        f"<body><p>{char * 4}</p></body></html>"
    ).encode()


@pytest.mark.slow  # four Chromium runs
def test_chinese_shows_on_a_phone_without_cjk_fonts(chromium: str, tmp_path: Path) -> None:
    conf = _conf(tmp_path)
    bare = [
        _shot(chromium, conf, _page(c), tmp_path / f"bare-{i}.png") for i, c in enumerate("统计")
    ]
    font = [
        _shot(chromium, conf, with_web_font(_page(c)), tmp_path / f"font-{i}.png")
        for i, c in enumerate("统计")
    ]
    assert ImageChops.difference(*bare).getbbox() is None  # both tofu: the same boxes
    assert ImageChops.difference(*font).getbbox() is not None  # two different glyphs
    assert ImageChops.difference(bare[0], font[0]).getbbox() is not None
