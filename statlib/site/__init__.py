"""The published site ``outputs/site/``: static pages, the published files, the data portal.

``build_site`` assembles the whole site in ``outputs/.site/<id>.part`` (published files
hard-linked from the current site, or from their release when missing), verifies every file
against its checksum and then switches the link ``outputs/site`` in one ``rename`` — readers see
the old site or the new one, never a mix. ``publish`` (``statlib publish``) moves the approved
public editions of a built release onto the site.

Layout::

    index.html               by period and by series; the yearbook's electronic edition
    calendar.html            the release calendar (发布日程)
    pub/<series>-<year>-<nn>.html     a publication: files, sizes, SHA-256 checksums
    files/<series>/<year>-<nn>/<region>/<file>   the published HTML, PDF, Word, XLSX files
    data/index.html          the macro-economic database, with offline search
    data/<code>.html|.svg|.csv|.xlsx  one public indicator
    data/search.json, data/search-index.js        the search index
    assets/site.css, assets/search.js, assets/favicon.svg, assets/StatlibSansSC-Regular.otf
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from statlib import config, registry
from statlib.batch.publish import sha256_file
from statlib.errors import StatlibError
from statlib.registry import Publication
from statlib.site import pages, portal
from statlib.site.release import PublishReport, publish
from statlib.store.store import Store

__all__ = ["PublishReport", "build_site", "publish"]

KEEP = 2
FONT = "StatlibSansSC-Regular.otf"


def build_site(
    outputs: Path,
    store: Store,
    *,
    pending: Sequence[Publication] = (),
    city: str = "990200",
    confidential: Sequence[str] = (),
    on_staged: Any = None,
) -> Path:
    """Rebuild ``outputs/site`` from the registry (published publications) and the store.

    ``pending`` publications are shown as published (``publish`` stages the site before it
    records them); ``on_staged()`` runs after the staged site is verified and before the switch
    — an exception there leaves the current site untouched.
    """
    outputs = Path(outputs)
    link = outputs / "site"
    if link.exists() and not link.is_symlink():
        raise StatlibError(
            f"{link} is a folder, not the site link — move it aside; statlib "
            "publishes the site as a link to outputs/.site/"
        )
    sites = outputs / ".site"
    sites.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex[:12]
    part = sites / f".{name}.part"
    try:
        _assemble(part, outputs, store, pending, city, confidential)
        final = sites / name
        part.rename(final)
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise
    try:
        if on_staged is not None:
            on_staged()
    except BaseException:
        shutil.rmtree(final, ignore_errors=True)
        raise
    tmp = outputs / f".site.{uuid.uuid4().hex[:8]}.link"
    tmp.symlink_to(Path(".site") / name)
    os.replace(tmp, link)  # the atomic switch
    _prune(sites, final)
    return link


def _assemble(
    part: Path,
    outputs: Path,
    store: Store,
    pending: Sequence[Publication],
    city: str,
    confidential: Sequence[str],
) -> None:
    keys = {p.key for p in pending}
    pubs = [p for p in registry.publications(store, status="published") if p.key not in keys]
    pubs = sorted([*pubs, *pending], key=lambda p: (p.year, p.series, p.supplement, p.issue))
    current = outputs / "site"
    for pub in pubs:
        for rel, entry in pub.files.items():
            _place(
                part,
                rel,
                entry,
                [current / rel, outputs / str(entry.get("release", "")) / entry["source"]],
            )
    region_names = {str(r["code"]): str(r["name"]) for r in store.regions().to_dict("records")}
    for pub in pubs:
        _text(part / pages.pub_path(pub), pages.publication_page(pub, region_names))
    yearbooks = [
        (f"{p.year}年《{pages.series_title(p.series)}》电子版", pages.pub_path(p))
        for p in pubs
        if p.series.startswith("yearbook")
    ]
    for p in pubs:
        if p.series.startswith("yearbook"):
            yearbooks += [
                (f"{p.year}年电子版目录", rel)
                for rel in sorted(p.files)
                if Path(rel).name == "index.html"
            ]
    _text(part / "index.html", pages.index_page(pubs, yearbooks=yearbooks))
    public = {s for s in {p.series for p in registry.publications(store)} if not _internal_only(s)}
    years = sorted({p.year for p in registry.publications(store)}, reverse=True)
    calendars = [(y, _public_rows(registry.calendar(store, y), public)) for y in years]
    done = {(p.series, p.year, p.supplement, p.issue) for p in pubs}
    _text(part / "calendar.html", pages.calendar_page(calendars, done))
    portal.build_portal(part / "data", store, city, confidential)
    hits = portal.scan_portal(part / "data", store, city)  # before the switch
    problems = portal.check_cells(part / "data", store, city)
    if hits or problems:
        from statlib.errors import LeakError

        if hits:
            raise LeakError(part, hits)
        raise StatlibError(
            "site check failed: suppressed portal cells printed: " + "; ".join(problems[:10])
        )
    assets = part / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    src = config.project_root() / "templates" / "site"
    for name in ("site.css", "search.js", "favicon.svg"):
        shutil.copyfile(src / name, assets / name)
    shutil.copyfile(config.project_root() / "templates" / "fonts" / FONT, assets / FONT)
    for pub in pubs:  # verify before the switch
        for rel, entry in pub.files.items():
            if sha256_file(part / rel) != entry["sha256"]:
                raise StatlibError(f"site check failed: {rel} does not match its checksum")


def _public_rows(frame: Any, public: set[str]) -> Any:
    if frame.empty:
        return frame
    return frame[
        frame["series"].isin(public) & frame["editions"].str.split(",").map(lambda e: "public" in e)
    ]


def _internal_only(series: str) -> bool:
    from statlib.site.release import internal_only

    return internal_only(series)


def _place(part: Path, rel: str, entry: dict[str, Any], sources: list[Path]) -> None:
    target = part / rel
    if part.resolve() not in target.resolve().parents:
        raise StatlibError(f"site path {rel!r} leaves the site folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    for source in sources:
        if source.is_file() and sha256_file(source) == entry["sha256"]:
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)
            return
    raise StatlibError(
        f"published file {rel} is missing: neither the site nor its release "
        f"({entry.get('release')}) holds it with checksum {entry['sha256'][:12]}"
    )


def _text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _prune(sites: Path, keep: Path) -> None:
    old = sorted(
        (p for p in sites.iterdir() if p != keep and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for path in old[KEEP - 1 :]:
        shutil.rmtree(path, ignore_errors=True)
    for part in sites.glob(".*.part"):
        shutil.rmtree(part, ignore_errors=True)
