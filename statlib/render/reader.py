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
    if _drop_store_records(nb):  # provenance for render's edition check, not content
        data = json.dumps(nb, ensure_ascii=False).encode("utf-8")
    fm = front_matter(nb, name)
    chosen = choose_edition(fm, edition)
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
    )


def _drop_store_records(nb: dict[str, Any]) -> bool:
    """Remove the outputs that record which edition a store served (``statlib.editions``);
    True if there were any."""
    from statlib.editions import RECORD_MIME

    dropped = False
    for cell in nb.get("cells", []) if isinstance(nb.get("cells"), list) else []:
        outputs = cell.get("outputs") if isinstance(cell, dict) else None
        if isinstance(outputs, list):
            kept = [
                o
                for o in outputs
                if not (isinstance(o, dict) and RECORD_MIME in (o.get("data") or {}))
            ]
            dropped |= len(kept) != len(outputs)
            cell["outputs"] = kept
    return dropped
