"""The output formats: a small registry of writers; the built-ins register like any other.

A writer is a function ``write(doc: Document, path: Path) -> None`` that writes one file at
``path`` from the document's (edited) pandoc AST, its masthead and its extracted media::

    from statlib.render import Document, register_format

    def write_txt(doc: Document, path: Path) -> None:
        path.write_text(doc.masthead.title, encoding="utf-8")

    register_format("txt", write_txt, suffix=".txt")
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from statlib.errors import RenderError
from statlib.render._pandoc import meta_value
from statlib.render.frontmatter import FrontMatter, Masthead

if TYPE_CHECKING:
    from statlib._tables.spec import Table


@dataclass(frozen=True)
class Document:
    """One notebook read once: the filtered (and edition-edited) AST and what frames it."""

    notebook: Path
    ast: dict[str, Any]
    front: FrontMatter
    masthead: Masthead
    media: Path
    toc: bool
    self_contained: bool = False
    tables: tuple[Table, ...] = ()  # the tables this edition shows, for the 附表 downloads
    period: str | None = None  # the run's period (or year) parameter

    def body(self) -> dict[str, Any]:
        """A deep copy of the AST with the masthead as metadata, for a writer to change freely."""
        ast = copy.deepcopy(self.ast)
        ast["meta"] = self.template_meta()
        return ast

    def template_meta(self) -> dict[str, Any]:
        """The masthead as pandoc metadata for the templates (text is escaped by each writer)."""
        m = self.masthead
        values: dict[str, Any] = {
            "title": m.title,
            "series-title": m.series_title,
            "unit": m.unit,
            "lang": "zh-CN",
            "edition": m.edition,
            "red": m.red,
            "toc": self.toc,
            "toc-title": "目录",
        }
        optional = {
            "subtitle": m.subtitle,
            "issue": m.issue_label,
            "date": m.date_label,
            "classification": m.classification,
            "serial": m.serial,
            "copies": m.copies_label,
        }
        values.update({k: v for k, v in optional.items() if v})
        if m.distribution:
            values["distribution"] = list(m.distribution)
        return {k: meta_value(v) for k, v in values.items()}


#: Writes ``path``; a writer that makes several files (one CSV per table) returns them all.
Writer = Callable[[Document, Path], "Sequence[Path] | None"]


@dataclass(frozen=True)
class Format:
    name: str
    write: Writer
    suffix: str


class FormatRegistry:
    """Formats by name (a holder with ``register``/``get``)."""

    def __init__(self) -> None:
        self._formats: dict[str, Format] = {}

    def register(self, name: str, writer: Writer, suffix: str | None = None) -> None:
        """Add or replace the format ``name``; files get ``suffix`` (default ``.<name>``)."""
        self._formats[name] = Format(name, writer, suffix or f".{name}")

    def get(self, name: str) -> Format:
        if name not in self._formats:
            raise RenderError(f"unknown format {name!r}; known formats: {', '.join(self.names())}")
        return self._formats[name]

    def names(self) -> list[str]:
        return sorted(self._formats)


formats = FormatRegistry()


def register_format(name: str, writer: Writer, suffix: str | None = None) -> None:
    """Register an output format (see the module docstring)."""
    formats.register(name, writer, suffix)
