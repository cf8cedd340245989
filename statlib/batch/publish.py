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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from statlib import fsio
from statlib.batch.recovery import crash_point
from statlib.errors import OutputError

__all__ = [
    "check_release_link",
    "clean_parts",
    "current_release",
    "publish_release",
    "write_site_index",
]

KEEP = 2  # releases kept per period (the current one and the one before)


def current_release(outputs: Path, period: str) -> Path | None:
    """The folder the ``outputs/<period>`` link points to, if any."""
    link = Path(outputs) / fsio.slug(period)
    if not fsio.is_own_link(link) or not link.resolve().is_dir():
        return None
    return link.resolve()


def publish_release(
    outputs: Path,
    period: str,
    files: dict[str, Path],
    manifest: dict[str, Any],
    verify: Callable[[Path], object] | None = None,
) -> Path:
    """Assemble ``files`` (release-relative name → source file) and switch to them atomically.

    ``verify(folder)`` runs on the assembled release before the switch (the leak scan); if it
    raises, the assembled folder is removed and the current release stays as it was. Every
    write goes through :mod:`statlib.fsio` (no planted link is followed); a full disk or a
    read-only folder is an OutputError naming the folder, with the assembled folder removed.
    """
    outputs = Path(outputs)
    link = check_release_link(outputs, period)
    name = fsio.new_name(fsio.slug(period))
    with fsio.staged(outputs, outputs / ".releases", name) as building:
        entries = {}
        for rel, source in sorted(files.items()):
            target = fsio.copy_file(outputs, source, fsio.inside(building, rel))
            entries[rel] = {"sha256": fsio.sha256_file(target), "bytes": target.stat().st_size}
        manifest = {**manifest, "files": entries}
        _verify(building, entries)
        fsio.write_text(
            outputs,
            building / "manifest.json",
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True),
        )
        if verify is not None:
            verify(building)
        with fsio.guard(building):
            _fsync_tree(building)
    final = building.parent / name
    crash_point("build:assembled")
    fsio.switch(outputs, link, final)  # the atomic switch
    crash_point("build:switched")
    fsio.prune(outputs, final.parent, fsio.own_names(fsio.slug(period)), final, KEEP)
    return final


def check_release_link(outputs: Path, period: str) -> Path:
    """``outputs/<period>``, refused unless absent or a release link statlib made."""
    return fsio.check_link(
        Path(outputs) / fsio.slug(period), "a release link", "outputs/.releases/"
    )


def _verify(folder: Path, entries: dict[str, dict[str, Any]]) -> None:
    for rel, entry in entries.items():
        path = folder / rel
        if not path.is_file() or path.stat().st_size == 0:
            raise OutputError(folder, "the release check found it missing or empty", rel)
        if entry["bytes"] == 0:
            raise OutputError(folder, "the release check found it empty", rel)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())


def clean_parts(outputs: Path, period: str) -> list[str]:
    """Remove the ``.part`` folders dead builds of ``period`` left in ``outputs/.releases``
    (call only while holding the period's build lock). Returns what was removed."""
    own = fsio.own_names(fsio.slug(period))
    return fsio.clean_parts(outputs, Path(outputs) / ".releases", own)


def write_site_index(outputs: Path) -> Path:
    """``outputs/index.html``: every published period with its files (the site proper comes
    with the publication registry)."""
    rows = []
    for link in sorted(outputs.iterdir(), reverse=True):
        if not fsio.is_own_link(link):
            continue
        manifest_path = link / "manifest.json"
        if not manifest_path.is_file():
            continue
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        items = "".join(
            f'<li><a href="{html.escape(link.name)}/{html.escape(rel)}">{html.escape(rel)}</a>'
            f" <small>{entry['sha256'][:12]}</small></li>"
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
    return fsio.write_text(outputs, outputs / "index.html", page)
