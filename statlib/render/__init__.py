"""Render an executed notebook as the publication it is: HTML, PDF (Typst), Word, WeChat.

>>> from statlib.render import render
>>> render("outputs/run/bulletin.ipynb", ["html", "pdf"], edition="internal")  # doctest: +SKIP
{'html': PosixPath('outputs/preview/bulletin/bulletin.internal.html'), 'pdf': ...}

The notebook is read once (front matter in Python, the body by pandoc through the Lua filters in
``templates/filters/``), the edition hook edits the AST, then each format's writer runs from that
AST: ``html`` (``templates/html/``), ``pdf`` (``templates/typst/`` + Typst with the shipped fonts
only), ``docx`` (``templates/docx/reference.docx``), the 附表 downloads ``xlsx`` and ``csv``
(``statlib.render.downloads``) and what else is registered (:func:`register_format`). The
series template (``templates/series/<series>.yaml``) gives the masthead. Files are staged
beside their target and renamed into place: a failed render leaves no half-written file.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nbformat

from statlib import fsio
from statlib.errors import EditionError, RenderError
from statlib.fsio import slug
from statlib.render.docx import write_docx
from statlib.render.downloads import write_csv, write_xlsx
from statlib.render.formats import Document, Format, Writer, register_format
from statlib.render.formats import formats as _registry  # statlib.render.formats: the module
from statlib.render.frontmatter import FrontMatter, Masthead
from statlib.render.html import write_html
from statlib.render.pdf import write_pdf
from statlib.render.reader import read, run_period
from statlib.render.wechat import write_wechat

__all__ = [
    "DEFAULT_FORMATS",
    "Document",
    "Format",
    "FrontMatter",
    "Masthead",
    "Writer",
    "check_run",
    "default_out",
    "formats",
    "read",
    "register_format",
    "render",
]

DEFAULT_FORMATS = ("html", "pdf", "docx")

register_format("html", write_html, ".html")
register_format("pdf", write_pdf, ".pdf")
register_format("docx", write_docx, ".docx")
register_format("wechat", write_wechat, ".wechat.html")
register_format("xlsx", write_xlsx, ".xlsx")
register_format("csv", write_csv, ".csv")


def default_out(notebook: str | Path) -> Path:
    """``outputs/preview/<notebook stem>/``."""
    return Path("outputs") / "preview" / slug(Path(notebook).stem)


def render(
    notebook: str | Path,
    to: Sequence[str] = DEFAULT_FORMATS,
    *,
    edition: str | None = None,
    out: Path | None = None,
    self_contained: bool = False,
    scan: bool = True,
) -> dict[str, Path]:
    """Render an executed notebook into ``out``; returns the written file of each format
    (a format writing several files, such as ``csv`` for a document with several tables, gives
    ``csv``, ``csv-2``, …).

    ``edition`` (``internal``/``public``/``masked``) defaults to the front matter's, then the
    series'. Files are named ``<notebook stem>.<edition><suffix>`` (``bulletin.internal.html``).
    ``self_contained`` embeds the shipped fonts in the HTML page too.

    A notebook with a code cell that never ran (no execution count, no outputs) is refused. A
    public or masked file is made only from a run of that edition (``statlib.editions``: the
    run's ``edition`` parameter and the stores it opened, as recorded in the notebook) and, with
    ``scan`` (the default; the batch scans in its release gate instead), only if the leak scan
    finds no confidential figure of the store in what was written. Files are written all or
    none.
    """
    path = Path(notebook)
    names = [t.strip().lower() for t in ([to] if isinstance(to, str) else to) if t.strip()]
    if not names:
        raise RenderError("no output format given; use html, pdf, docx or wechat")
    chosen = [_registry.get(n) for n in dict.fromkeys(names)]
    target = Path(out) if out is not None else default_out(path)
    with tempfile.TemporaryDirectory(prefix="statlib-render-") as tmp:
        doc = read(path, Path(tmp) / "media", edition=edition, self_contained=self_contained)
        run = nbformat.read(path, as_version=4)  # a notebook: the reader has checked it
        check_run(run, path, doc.masthead.edition)
        root = fsio.root_of(target)
        target = fsio.mkdir(root, target)  # never through a planted link (statlib.fsio)
        stem = f"{slug(path.stem)}.{slug(doc.masthead.edition)}"
        with fsio.guard(target):
            staging = Path(tempfile.mkdtemp(prefix=".statlib-render-", dir=target))
        try:
            staged: dict[str, tuple[Path, Path]] = {}
            for fmt in chosen:
                file = staging / f"{stem}{fmt.suffix}"
                for k, written in enumerate(fmt.write(doc, file) or [file], 1):
                    written.chmod(0o644)
                    final = fsio.real_inside(target, target / written.name)
                    staged[fmt.name if k == 1 else f"{fmt.name}-{k}"] = (written, final)
            if scan and doc.masthead.edition != "internal":
                _assert_clean([file for file, _ in staged.values()], path, run_period(run))
            for file, final in staged.values():
                fsio.rename(root, file, final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return {name: final for name, (_, final) in staged.items()}


def check_run(nb: Any, notebook: Path, edition: str) -> None:
    """Refuse an unexecuted notebook ``nb`` (read from ``notebook``), and a public or masked
    rendering of a run of another edition (RenderError / EditionError saying how to run it)."""
    from statlib import editions

    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    idle = [i for i, c in enumerate(code, 1) if not c.get("execution_count") and not c.outputs]
    if idle:  # every code cell ran (a count or outputs), whichever edition is asked for
        which = "no code cell ran" if len(idle) == len(code) else f"code cell {idle[0]} never ran"
        raise RenderError(
            f"{notebook}: the notebook has not been executed ({which}); run it first: "
            f"statlib preview {notebook} -p edition {edition}, or statlib render {notebook} "
            f"--execute --edition {edition} (-p NAME VALUE for other parameters)"
        )
    if edition == "internal":
        return
    stores, parameter = editions.recorded(nb)
    how = f"run it as {edition}: statlib preview {notebook} -p edition {edition}"
    if parameter is not None and parameter != edition:
        raise EditionError(
            f"{notebook}: this run's edition parameter is {parameter!r}; a {edition} file is "
            f"made only from a {edition} run — {how}"
        )
    loose = sorted(e for e in stores if editions.data_layer(e) != editions.data_layer(edition))
    if loose:
        raise EditionError(
            f"{notebook}: this run read the {', '.join(loose)} store; a {edition} file is made "
            f"only from the {editions.data_layer(edition)} data layer — {how}"
        )


def _assert_clean(files: list[Path], notebook: Path, period: str | None) -> None:
    """The build's leak scan on what ``render`` wrote: the internal store's secrets for the
    run's period, as the release gate reads them."""
    from statlib.errors import ConfigError, LeakError
    from statlib.leaks import scan, secrets_from_store
    from statlib.periods import parse
    from statlib.store import open_store

    try:
        window = str(parse(period)) if period is not None else None
    except ConfigError:  # an unparsable period: scan for every period's secrets
        window = None
    with open_store(edition="internal") as store:
        secrets = secrets_from_store(store, window)
    hits = scan(files, secrets)
    if hits:
        raise LeakError(notebook, hits)
