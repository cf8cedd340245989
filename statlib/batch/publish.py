"""Staging and the atomic publication of a release.

A release is assembled in ``outputs/.releases/<period>-<id>/`` (files hard-linked from the
previous release for cached jobs, moved from staging for new ones), verified against the
manifest, and then made current by replacing the symbolic link ``outputs/<period>`` in one
``rename``: a reader — or a build killed at any moment — sees the old release or the new one,
never a mix. Older releases are pruned after the switch.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from statlib.batch.safety import inside, slug
from statlib.errors import StatlibError
from statlib.ingest.base import sha256_of as sha256_file

__all__ = ["current_release", "publish_release", "sha256_file", "write_site_index"]

KEEP = 2  # releases kept per period (the current one and the one before)


def current_release(outputs: Path, period: str) -> Path | None:
    """The folder the ``outputs/<period>`` link points to, if any."""
    link = outputs / slug(period)
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def publish_release(outputs: Path, period: str, files: dict[str, Path],
                    manifest: dict[str, Any],
                    verify: Callable[[Path], object] | None = None) -> Path:
    """Assemble ``files`` (release-relative name → source file) and switch to them atomically.

    ``verify(folder)`` runs on the assembled release before the switch (the leak scan); if it
    raises, the assembled folder is removed and the current release stays as it was.
    """
    releases = outputs / ".releases"
    releases.mkdir(parents=True, exist_ok=True)
    name = f"{slug(period)}-{uuid.uuid4().hex[:10]}"
    building = releases / f".{name}.part"
    entries = {}
    for rel, source in sorted(files.items()):
        target = inside(building, rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
        entries[rel] = {"sha256": sha256_file(target), "bytes": target.stat().st_size}
    manifest = {**manifest, "files": entries}
    _verify(building, entries)
    (building / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
    try:
        if verify is not None:
            verify(building)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    _fsync_tree(building)
    final = releases / name
    building.rename(final)
    link = outputs / slug(period)
    if link.exists() and not link.is_symlink():
        raise StatlibError(f"{link} is a folder, not a release link — move it aside; statlib "
                           "publishes each period as a link to outputs/.releases/")
    tmp_link = outputs / f".{slug(period)}.{uuid.uuid4().hex[:8]}.link"
    tmp_link.symlink_to(Path(".releases") / name)
    os.replace(tmp_link, link)  # the atomic switch
    _prune(releases, slug(period), keep=final)
    return final


def _verify(folder: Path, entries: dict[str, dict[str, Any]]) -> None:
    for rel, entry in entries.items():
        path = folder / rel
        if not path.is_file() or path.stat().st_size == 0:
            raise StatlibError(f"release check failed: {rel} is missing or empty")
        if entry["bytes"] == 0:
            raise StatlibError(f"release check failed: {rel} is empty")


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())


def _prune(releases: Path, prefix: str, keep: Path) -> None:
    old = sorted((p for p in releases.glob(f"{prefix}-*") if p != keep),
                 key=lambda p: p.stat().st_mtime, reverse=True)
    for path in old[KEEP - 1:]:
        shutil.rmtree(path, ignore_errors=True)
    for part in releases.glob(f".{prefix}-*.part"):
        shutil.rmtree(part, ignore_errors=True)


def write_site_index(outputs: Path) -> Path:
    """``outputs/index.html``: every published period with its files (the site proper comes
    with the publication registry)."""
    rows = []
    for link in sorted(outputs.iterdir(), reverse=True):
        if not link.is_symlink():
            continue
        manifest_path = link / "manifest.json"
        if not manifest_path.is_file():
            continue
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        items = "".join(
            f'<li><a href="{html.escape(link.name)}/{html.escape(rel)}">{html.escape(rel)}</a>'
            f' <small>{entry["sha256"][:12]}</small></li>'
            for rel, entry in sorted(manifest["files"].items())
        )
        rows.append(f"<section><h2>{html.escape(link.name)}</h2><ul>{items}</ul></section>")
    page = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>统计发布</title><style>body{font-family:sans-serif;max-width:46rem;"
        "margin:auto;padding:1rem;line-height:1.6}small{color:#777}</style></head><body>"
        f"<h1>统计发布</h1>{''.join(rows)}</body></html>"
    )
    index = outputs / "index.html"
    tmp = outputs / ".index.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, index)
    return index
