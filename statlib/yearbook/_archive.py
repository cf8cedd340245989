"""The electronic edition's manifest and archive, byte for byte reproducible.

``manifest.json`` names the book and lists every file of the edition with its SHA-256 and size
(sorted; no time, no machine). The archive ``yearbook-2024.zip`` holds the same files and the
manifest under one folder ``yearbook-2024/``; its entries are sorted, dated 1980-01-01 00:00
(the zip epoch), mode 0644, deflated at level 9, so the same files give the same bytes.
The Chinese title is in the manifest, the archive comment and, of course, the pages.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from statlib import __version__, fsio
from statlib.yearbook._model import BookInfo

EPOCH = (1980, 1, 1, 0, 0, 0)
MANIFEST = "manifest.json"


def manifest(info: BookInfo, root: Path, files: Iterable[Path]) -> dict[str, Any]:
    """The manifest of ``files`` (paths inside ``root``), keyed by their POSIX relative path."""
    listed = {p.relative_to(root).as_posix(): p for p in files}
    return {
        "title": f"《{info.full_title}》",
        "title_en": info.full_title_en,
        "unit": info.unit,
        "data_year": info.year,
        "publication_year": info.pub_year,
        "edition": info.edition,
        "generator": f"statlib {__version__}",
        "files": {
            name: {"sha256": fsio.sha256_file(path), "bytes": path.stat().st_size}
            for name, path in sorted(listed.items())
        },
    }


def write_manifest(info: BookInfo, root: Path, files: Iterable[Path]) -> Path:
    """Write ``root/manifest.json`` (UTF-8, sorted, indented) and return its path."""
    path = root / MANIFEST
    data = manifest(info, root, files)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def write_zip(info: BookInfo, root: Path, files: Iterable[Path], path: Path) -> Path:
    """The archive of ``files`` (inside ``root``) at ``path``: sorted, fixed dates and modes."""
    folder = info.slug
    names = sorted((p.relative_to(root).as_posix(), p) for p in files)
    with zipfile.ZipFile(path, "w") as archive:
        archive.comment = f"《{info.full_title}》电子版 {info.full_title_en}".encode()
        for name, source in names:
            entry = zipfile.ZipInfo(f"{folder}/{name}", date_time=EPOCH)
            entry.create_system = 3  # unix, whatever the machine
            entry.external_attr = 0o100644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, source.read_bytes(), compresslevel=9)
    return path


def verify_zip(path: Path) -> list[str]:
    """What is wrong with an archive: files whose SHA-256 differs from its manifest, files
    missing from it or not listed. Empty when the archive is sound."""
    problems: list[str] = []
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        folder = names[0].split("/", 1)[0] if names else ""
        data = json.loads(archive.read(f"{folder}/{MANIFEST}"))
        inside = {n.split("/", 1)[1] for n in names} - {MANIFEST}
        for name, entry in data["files"].items():
            if name not in inside:
                problems.append(f"missing: {name}")
                continue
            actual = fsio.sha256_bytes(archive.read(f"{folder}/{name}"))
            if actual != entry["sha256"]:
                problems.append(f"checksum differs: {name}")
        problems += [f"not in the manifest: {n}" for n in sorted(inside - set(data["files"]))]
    return problems
