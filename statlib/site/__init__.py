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

import contextlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from statlib import config, fsio, registry
from statlib.batch.recovery import RunLock, crash_point
from statlib.errors import DisclosureError, InputError, OutputError, UnsafePathError
from statlib.fsio import sha256_file
from statlib.registry import Publication
from statlib.site import pages, portal
from statlib.site.release import PublishReport, publish
from statlib.store.store import Store

__all__ = ["PublishReport", "build_site", "publish", "reconcile", "site_lock"]

KEEP = 2
LISTED = "published.json"  # the keys of the publications the site shows
_SITE = fsio.own_names("", 12)  # outputs/.site/<12 hex>
FONT = "StatlibSansSC-Regular.otf"


def build_site(
    outputs: Path,
    store: Store,
    *,
    pending: Sequence[Publication] = (),
    city: str = "990200",
    confidential: Sequence[str] = (),
    on_staged: Any = None,
    held: bool = False,
) -> Path:
    """Rebuild ``outputs/site`` from the registry (published publications) and the store.

    ``pending`` publications are shown as published (``publish`` stages the site before it
    records them); ``on_staged()`` runs after the staged site is verified and before the switch
    — an exception there leaves the current site untouched. One site build or publication runs
    at a time (:func:`site_lock`): the lock is taken here unless the caller holds it (``held``).
    """
    outputs = Path(outputs)
    with contextlib.nullcontext() if held else site_lock(outputs) as lock:
        for note in lock.notes if lock is not None else ():
            print(note, file=sys.stderr)
        link = fsio.check_link(outputs / "site", "the site link", "outputs/.site/")
        name = fsio.new_name("", 12)
        with fsio.staged(outputs, outputs / ".site", name) as part:
            _assemble(part, outputs, store, pending, city, confidential)
            crash_point("publish:assembled")
        final = part.parent / name
        crash_point("publish:staged")
        try:
            if on_staged is not None:
                on_staged()
        except BaseException:
            fsio.remove_tree(outputs, final)
            raise
        crash_point("publish:recorded")
        fsio.switch(outputs, link, final)  # the atomic switch
        crash_point("publish:switched")
        fsio.prune(outputs, final.parent, _SITE, final, KEEP)
    return link


def site_lock(outputs: Path) -> RunLock:
    """The lock of the site (``outputs/.site/.publish.lock``): one site build or
    ``statlib publish`` at a time; a second is refused naming the holder. The unfinished site
    folders of a dead run are removed once it is held."""
    outputs = Path(outputs)
    return _SiteLock(outputs, outputs / ".site" / ".publish.lock", "a site build or publication")


class _SiteLock(RunLock):
    def acquire(self) -> RunLock:
        super().acquire()
        parts = fsio.clean_parts(self.root, self.root / ".site", _SITE)
        if parts:
            self.notes.append(
                f"removed {len(parts)} unfinished site folder(s) of a dead run: " + ", ".join(parts)
            )
        return self


def reconcile(outputs: Path, store: Store) -> list[str]:
    """Where the registry and the current site disagree: a publication the registry holds as
    published whose page or files the site lacks (a publication killed between recording and
    switching), or one the site shows that the registry does not hold as published."""
    site = Path(outputs) / "site"
    published = registry.publications(store, status="published")
    out = []
    for pub in published:
        page = site / pages.pub_path(pub)
        lacking = [rel for rel, entry in sorted(pub.files.items()) if not _holds(site / rel, entry)]
        if not page.is_file() or lacking:
            out.append(
                f"{pub.key} is published in the registry but the site lacks "
                + (f"{len(lacking)} of its files" if lacking else "its page")
            )
    listed = site / LISTED
    if listed.is_file():
        shown = set(json.loads(listed.read_text(encoding="utf-8")))
        for key in sorted(shown - {str(p.key) for p in published}):
            out.append(f"{key} is on the site but not published in the registry")
    return out


def _holds(path: Path, entry: dict[str, Any]) -> bool:
    return (
        path.is_file()
        and path.stat().st_size == int(entry["bytes"])
        and sha256_file(path) == entry["sha256"]
    )


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
        raise DisclosureError(
            f"site check failed: suppressed portal cells printed: {'; '.join(problems[:10])} "
            "— nothing was published; rebuild the site (statlib site) and report the cells"
        )
    assets = part / "assets"
    src = config.templates_dir() / "site"
    for name in ("site.css", "search.js", "favicon.svg"):
        fsio.copy_file(outputs, src / name, assets / name, link=False)
    fsio.copy_file(outputs, config.templates_dir() / "fonts" / FONT, assets / FONT, link=False)
    _text(part / LISTED, json.dumps(sorted(str(p.key) for p in pubs), ensure_ascii=False))
    for pub in pubs:  # verify before the switch
        for rel, entry in pub.files.items():
            if sha256_file(part / rel) != entry["sha256"]:
                raise OutputError(part, "the site check found a file unlike its checksum", rel)


def _public_rows(frame: Any, public: set[str]) -> Any:
    if frame.empty:
        return frame
    return frame[
        frame["series"].isin(public) & frame["editions"].str.split(",").map(lambda e: "public" in e)
    ]


def _internal_only(series: str) -> bool:
    from statlib.series import internal_only

    return internal_only(series)


def _place(part: Path, rel: str, entry: dict[str, Any], sources: list[Path]) -> None:
    target = part / rel
    if part.resolve() not in target.resolve().parents:
        raise UnsafePathError(f"site path {rel!r} leaves the site folder; nothing was published")
    for source in sources:
        if source.is_file() and sha256_file(source) == entry["sha256"]:
            fsio.copy_file(part, source, target)
            return
    raise InputError(
        f"neither the site nor its release ({entry.get('release')}) holds it with checksum "
        f"{entry['sha256'][:12]}",
        file=rel,
        hint=f"rebuild the release {entry.get('release')} (statlib build) and run statlib site",
    )


def _text(path: Path, text: str) -> None:
    """Write a page of the site being assembled (its ``.part`` folder is the root)."""
    root = next(p for p in (path, *path.parents) if p.name.endswith(".part"))
    fsio.write_text(root, path, text)
