"""Reading an executed notebook once: front matter in Python, the body through pandoc + Lua.

The notebook file is read once; its first (raw) cell is the front matter, parsed here; pandoc
reads the same bytes through ``templates/filters/notebook.lua`` into a JSON AST with the images
extracted to a media folder; the edition hook (``statlib.render.editions.apply``) edits the AST.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from pathlib import Path
from typing import Any

from statlib._tables.payload import TABLE_MIME, from_payload
from statlib._tables.spec import Table
from statlib.errors import RenderError
from statlib.render import _pandoc
from statlib.render.formats import Document
from statlib.render.frontmatter import (
    FrontMatter,
    Masthead,
    choose_edition,
    masthead,
    parse_front_matter,
)


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def front_matter(nb: dict[str, Any], name: str) -> FrontMatter:
    """The front matter of a notebook dict: its first cell must be raw and start with ``---``."""
    cells = nb.get("cells") or []
    if (
        not cells
        or cells[0].get("cell_type") != "raw"
        or not _source(cells[0]).lstrip().startswith("---")
    ):
        raise RenderError(
            f"{name}: no front matter — the first cell must be a raw cell with YAML between "
            "'---' lines (title, series, issue, date, unit, edition)"
        )
    return parse_front_matter(_source(cells[0]), name)


def apply_edition(ast: dict[str, Any], edition: str, name: str) -> dict[str, Any]:
    """``statlib.render.editions.apply`` when that module exists; ``masked`` needs it."""
    try:
        editions = importlib.import_module("statlib.render.editions")
    except ModuleNotFoundError as exc:
        if exc.name != "statlib.render.editions":
            raise
        if edition == "masked":
            raise RenderError(
                f"{name}: the masked edition is not available (statlib.render.editions is not "
                "installed); render internal or public"
            ) from None
        return ast
    result: dict[str, Any] = editions.apply(ast, edition)
    return result


def _masked(head: Masthead, name: str) -> Masthead:
    """The masked edition's title and subtitle with their figures masked too."""
    from statlib.render.editions import mask_text

    return dataclasses.replace(
        head,
        title=mask_text(head.title),
        subtitle=mask_text(head.subtitle) if head.subtitle else None,
    )


def read(
    notebook: Path, media: Path, *, edition: str | None = None, self_contained: bool = False
) -> Document:
    """The notebook as a :class:`Document` in ``edition``; images go to ``media``."""
    name = notebook.name
    try:
        data = notebook.read_bytes()
    except OSError as exc:
        raise RenderError(f"{notebook}: cannot read the notebook: {exc.strerror}") from None
    try:
        nb = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RenderError(f"{name}: not a notebook (invalid JSON: {exc})") from None
    if not isinstance(nb, dict):
        raise RenderError(f"{name}: not a notebook (no cells)")
    fm = front_matter(nb, name)
    chosen = choose_edition(fm, edition)
    tables, changed = _take_outputs(nb, chosen, name)
    if changed:  # provenance and table data are not content: pandoc reads the rest
        data = json.dumps(nb, ensure_ascii=False).encode("utf-8")
    head = masthead(fm, chosen)
    if chosen == "masked":
        head = _masked(head, name)
    ast = _pandoc.read_notebook(data, media, name=name)
    media.mkdir(parents=True, exist_ok=True)  # writers run pandoc and Typst inside it
    ast = apply_edition(ast, chosen, name)
    ast["meta"] = {}
    headings = _pandoc.count_headings(ast)
    toc = head.toc if head.toc is not None else headings > head.toc_headings
    return Document(
        notebook=notebook,
        ast=ast,
        front=fm,
        masthead=head,
        media=media,
        toc=toc,
        self_contained=self_contained,
        tables=tables,
        period=run_period(nb),
    )


def _take_outputs(nb: dict[str, Any], edition: str, name: str) -> tuple[tuple[Table, ...], bool]:
    """Remove from the outputs what is not content — the records of which edition a store
    served (``statlib.editions``) and the tables' JSON (``statlib._tables.payload``) — and
    return the tables the ``edition`` shows (a cell tagged ``internal-only`` only in the
    internal edition; none of a cell with ``#| output: false``), in document order; True if
    anything was removed."""
    from statlib.editions import RECORD_MIME
    from statlib.render.editions import INTERNAL_ONLY

    tables: list[Table] = []
    changed = False
    cells = nb.get("cells")
    for n, cell in enumerate(cells if isinstance(cells, list) else [], 1):
        outputs = cell.get("outputs") if isinstance(cell, dict) else None
        if not isinstance(outputs, list):
            continue
        meta = cell.get("metadata")
        tags = meta.get("tags") if isinstance(meta, dict) else None
        internal = isinstance(tags, list) and INTERNAL_ONLY in tags
        shown = (edition == "internal" or not internal) and not _output_false(cell)
        kept = []
        for out in outputs:
            data = out.get("data") if isinstance(out, dict) else None
            if isinstance(data, dict) and RECORD_MIME in data:
                changed = True
                continue
            if isinstance(data, dict) and TABLE_MIME in data:
                payload = data.pop(TABLE_MIME)
                changed = True
                if shown:
                    tables.append(from_payload(payload, f"{name}, cell {n}"))
            kept.append(out)
        cell["outputs"] = kept
    return tuple(tables), changed


def _output_false(cell: dict[str, Any]) -> bool:
    """Whether the cell's Quarto options (``#|`` lines at its top) say ``output: false``, as
    ``notebook.lua`` reads them: the page shows none of its outputs."""
    for line in _source(cell).splitlines():
        if not line.startswith("#|"):
            break
        key, _, value = line[2:].partition(":")
        if key.strip() == "output" and value.strip().lower() == "false":
            return True
    return False


def run_period(nb: Any) -> str | None:
    """The run's ``period`` (or ``year``) parameter, injected or in its parameters cell."""
    from statlib.editions import run_parameter

    value = run_parameter(nb, "period")
    value = run_parameter(nb, "year") if value is None else value
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None
