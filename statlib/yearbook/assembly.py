"""《云川统计年鉴》 assembled as a book: multi-page HTML, one PDF, every table as XLSX, an archive.

>>> from statlib.yearbook.assembly import build_book
>>> result = build_book(2023)  # doctest: +SKIP
>>> result.out, result.archive.name  # doctest: +SKIP
(PosixPath('outputs/yearbook/2024'), 'yearbook-2024.zip')

The book of year Y+1 holds the data of year Y (CONVENTIONS §8): ``build_book(2023)`` makes
《云川统计年鉴2024》. Every chapter of ``notebooks/yearbook/book.yaml`` is executed once (one warm
kernel, parameters ``year`` and ``edition``) into a work folder, or taken from ``executed``; each
executed chapter is read once by the renderer (pandoc + the Lua filters, 章-序 numbers kept) and
its tables come back from the output metadata. Then, into ``out``::

    index.html            cover, 编辑说明, 目录 (every chapter, every table → its page and XLSX)
    01.html … 08.html     one page per chapter, with the navigation bar
    book.css              the pages' style (the shipped font stack, responsive)
    yearbook-2024.pdf     the whole book: cover, 编辑说明, 目录 with pages, chapters (A4)
    xlsx/01-01.xlsx …     one workbook per table (values only)
    manifest.json         title, edition and every file's SHA-256
    yearbook-2024.zip     the electronic edition: all of the above under yearbook-2024/

``out`` is a link to the current version in ``.yearbook/`` beside it, switched like a release
(:mod:`statlib.fsio`): a version is assembled in ``.yearbook/.<name>-<id>.part``, renamed when
complete, and ``out`` is replaced in one ``rename`` — a failed or killed build leaves the
previous book as it was; the version before is kept, older ones are pruned. One build of a
book runs at a time (a lock in ``.yearbook/``). The same executed chapters give the same bytes
(pages, PDF, workbooks, manifest and archive).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from statlib import fsio, yearbook
from statlib.batch.recovery import RunLock
from statlib.errors import ConfigError, ExecutionError, RenderError
from statlib.yearbook._archive import write_manifest, write_zip
from statlib.yearbook._html import write_site
from statlib.yearbook._model import BookInfo, Part, editorial, load_info, read_part
from statlib.yearbook._pdf import write_book_pdf

__all__ = ["BookResult", "build_book", "default_out", "execute_chapters"]

STORE = ".yearbook"  # beside ``out``: the built versions ``<name>-<id>``, ``out`` links to one
KEEP = 2  # versions kept per book (the current one and the one before)


@dataclass(frozen=True)
class BookResult:
    """What ``build_book`` wrote (final paths inside ``out``) and how long each step took."""

    title: str
    out: Path
    index: Path
    pages: tuple[Path, ...]
    pdf: Path
    xlsx: tuple[Path, ...]
    manifest: Path
    archive: Path
    executed: dict[str, Path]
    tables: int
    seconds: dict[str, float] = field(default_factory=dict)


def default_out(year: int, edition: str = "public") -> Path:
    """``outputs/yearbook/<year+1>/`` (the internal edition: ``<year+1>-internal/``)."""
    name = str(year + 1) if edition == "public" else f"{year + 1}-{edition}"
    return Path("outputs") / "yearbook" / name


def execute_chapters(
    year: int, edition: str, work: Path, chapters: list[yearbook.Chapter] | None = None
) -> dict[str, Path]:
    """Execute every chapter with ``year`` and ``edition`` in one warm kernel; the executed
    notebooks are written into ``work`` (by file name). A failing cell is a RenderError."""
    import nbformat

    from statlib.batch.kernel import WarmKernel
    from statlib.batch.safety import check_parameters

    folder = yearbook.book_file().parent
    chapters = chapters if chapters is not None else yearbook.book()
    work = fsio.mkdir(fsio.root_of(work), work)  # never through a planted link
    done: dict[str, Path] = {}
    kernel = WarmKernel(cwd=folder, edition=edition)  # its store pinned to the edition
    try:
        for chapter in chapters:
            source = folder / chapter.file
            params = check_parameters(source, {"year": year, "edition": edition})
            try:
                nb, _reads, _seconds = kernel.run(source, params, cwd=folder)
            except ExecutionError as exc:
                raise RenderError(f"the chapter failed to run: {exc}") from None
            target = fsio.write_text(work, work / chapter.file, nbformat.writes(nb))
            done[chapter.file] = target
    finally:
        kernel.shutdown()
    return done


def _given(executed: Mapping[str, Path | str], chapters: list[yearbook.Chapter]) -> dict[str, Path]:
    """The executed notebook of every chapter, keyed by file name (``01_overview.ipynb``; the
    stem is accepted too)."""
    found: dict[str, Path] = {}
    for chapter in chapters:
        path = executed.get(chapter.file) or executed.get(Path(chapter.file).stem)
        if path is None or not Path(path).is_file():
            raise ConfigError(
                f"executed: no executed notebook for {chapter.file} "
                f"(give one for each of {', '.join(c.file for c in chapters)})"
            )
        found[chapter.file] = Path(path)
    return found


def _assemble(
    info: BookInfo, parts: list[Part], stage: Path, typst_root: Path, seconds: dict[str, float]
) -> None:
    clock = time.perf_counter()
    tables = [t for p in parts for t in p.tables]
    yearbook.export_xlsx(tables, stage / "xlsx")
    seconds["xlsx"] = time.perf_counter() - clock
    text = editorial(info, parts)
    clock = time.perf_counter()
    pdf_name = f"{info.slug}.pdf"
    write_site(info, parts, text, stage, pdf_name)
    seconds["html"] = time.perf_counter() - clock
    clock = time.perf_counter()
    write_book_pdf(info, parts, text, typst_root, stage / pdf_name)
    seconds["pdf"] = time.perf_counter() - clock
    clock = time.perf_counter()
    files = sorted(p for p in stage.rglob("*") if p.is_file())
    manifest = write_manifest(info, stage, files)
    write_zip(info, stage, [*files, manifest], stage / f"{info.slug}.zip")
    seconds["archive"] = time.perf_counter() - clock


def build_book(
    year: int = 2023,
    *,
    edition: str = "public",
    out: Path | None = None,
    executed: dict[str, Path] | None = None,
) -> BookResult:
    """Build 《云川统计年鉴<year+1>》 into ``out`` (default ``outputs/yearbook/<year+1>/``).

    ``executed`` maps chapter file names to executed notebooks (then nothing is run); otherwise
    the chapters are executed into ``<out parent>/.work/<out name>/``. Raises ConfigError for a
    bad year or edition and RenderError when a chapter fails or cannot be rendered.
    """
    year, edition = yearbook.check_parameters(year, edition)
    started = time.perf_counter()
    info = load_info(year, edition)
    chapters = yearbook.book()
    target = Path(out) if out is not None else default_out(year, edition)
    root = fsio.root_of(target.parent)
    fsio.mkdir(root, target.parent)  # never through a planted link
    link = fsio.check_link(target, "a yearbook link", f"{target.parent}/{STORE}/")
    store = target.parent / STORE
    own = fsio.own_names(fsio.slug(target.name))
    seconds: dict[str, float] = {}
    if executed is not None:
        notebooks = _given(executed, chapters)
    with RunLock(root, store / ".build.lock", f"the build of {target}") as lock:
        for note in lock.notes + [f"removed {p}" for p in fsio.clean_parts(root, store, own)]:
            print(note, file=sys.stderr)
        if executed is None:
            work = target.parent / ".work" / target.name
            notebooks = execute_chapters(year, edition, work, chapters)
            seconds["execute"] = time.perf_counter() - started
        name = fsio.new_name(fsio.slug(target.name))
        with fsio.staged(root, store, name) as stage:
            with tempfile.TemporaryDirectory(prefix="statlib-book-") as tmp:
                clock = time.perf_counter()
                media = Path(tmp) / "media"
                parts = [
                    read_part(c, notebooks[c.file], media / f"{c.number:02d}", edition)
                    for c in chapters
                ]
                seconds["read"] = time.perf_counter() - clock
                _assemble(info, parts, stage, Path(tmp), seconds)
        final = store / name
        fsio.switch(root, link, final)  # the atomic switch
        fsio.prune(root, store, own, final, KEEP)
    seconds["total"] = time.perf_counter() - started
    pdf = target / f"{info.slug}.pdf"
    return BookResult(
        title=f"《{info.full_title}》",
        out=target,
        index=target / "index.html",
        pages=tuple(target / p.page for p in parts),
        pdf=pdf,
        xlsx=tuple(sorted((target / "xlsx").glob("*.xlsx"))),
        manifest=target / "manifest.json",
        archive=target / f"{info.slug}.zip",
        executed=notebooks,
        tables=sum(len(p.tables) for p in parts),
        seconds={k: round(v, 2) for k, v in seconds.items()},
    )
