"""Running pandoc: the notebook in (once, through the Lua filters), one format out per call.

pandoc is the binary of ``pypandoc-binary``, run directly (``subprocess``) so that the AST travels
as JSON on stdin/stdout and nothing is written beside the notebook.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from statlib.config import templates_dir
from statlib.errors import RenderError

READER = "ipynb+citations+east_asian_line_breaks"
_TIMEOUT = 120


def filters() -> list[Path]:
    """The Lua filters applied while reading, in order: the notebook as a publication, then
    ``inert.lua`` (links, images, raw markup and attributes from content made text)."""
    return [templates_dir() / "filters" / name for name in ("notebook.lua", "inert.lua")]


@functools.cache
def pandoc_path() -> str:
    import pypandoc

    try:
        return str(pypandoc.get_pandoc_path())
    except OSError as exc:  # pragma: no cover - the wheel ships the binary
        raise RenderError(f"pandoc not found ({exc}); pip install pypandoc-binary") from None


_FILTER_ERROR = re.compile(r"Error running filter [^\n]*:\n(.*?)\nstack traceback", re.DOTALL)


def run(
    args: Sequence[str], data: bytes, *, what: str, cwd: Path | None = None, epoch: int = 0
) -> bytes:
    """Run pandoc with ``args`` on ``data``; a failure is a RenderError naming ``what``.

    ``SOURCE_DATE_EPOCH`` (``epoch``) fixes the dates pandoc writes into DOCX: same input, same
    bytes."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    proc = subprocess.run(
        [pandoc_path(), *args],
        input=data,
        capture_output=True,
        timeout=_TIMEOUT,
        cwd=cwd,
        env=env,
        check=False,
    )
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip()
        own = _FILTER_ERROR.match(message)
        if own:  # a notebook error our filter reports: its message, not a Lua traceback
            raise RenderError(f"{what}: {own.group(1).strip()}")
        raise RenderError(f"{what}: pandoc failed: {message}")
    return proc.stdout


def read_notebook(data: bytes, media: Path, *, name: str) -> dict[str, Any]:
    """The filtered pandoc AST of an executed notebook's bytes; images extracted to ``media``.

    ``--sandbox``: the reader reads nothing but the notebook, so ``--extract-media`` writes only
    the notebook's own outputs and attachments; an image path or URL named by content is never
    read or fetched (``inert.lua`` turns it into its alt text before)."""
    args = [
        "--sandbox",
        "-f",
        READER,
        "--ipynb-output=all",
        "-t",
        "json",
        f"--extract-media={media}",
        *(f"--lua-filter={f}" for f in filters()),
    ]
    out = run(args, data, what=name)
    ast: dict[str, Any] = json.loads(out)
    return ast


def write(
    ast: dict[str, Any],
    to: str,
    args: Sequence[str],
    *,
    what: str,
    cwd: Path | None = None,
    epoch: int = 0,
) -> bytes:
    """``ast`` written by pandoc as ``to`` (``-o`` in ``args`` for binary formats)."""
    data = json.dumps(ast, ensure_ascii=False).encode("utf-8")
    return run(["-f", "json", "-t", to, *args], data, what=what, cwd=cwd, epoch=epoch)


# ---- small helpers on the JSON AST ---------------------------------------------------------


def walk(node: Any, fn: Callable[[dict[str, Any]], Any]) -> Any:
    """Apply ``fn`` to every element dict (bottom-up); ``fn`` returns a replacement or None."""
    if isinstance(node, list):
        return [walk(x, fn) for x in node]
    if isinstance(node, dict):
        new = {k: walk(v, fn) for k, v in node.items()}
        if "t" in new:
            replaced = fn(new)
            if replaced is not None:
                return replaced
        return new
    return node


def relative_images(ast: dict[str, Any], root: Path, *, png: bool = False) -> dict[str, Any]:
    """Image paths relative to ``root``, the folder a writer reads images from (nothing
    outside it is read); an image outside ``root`` or missing becomes the text 图略. With
    ``png`` the PNG rendering that the Lua filter names (attribute ``png``, extracted into
    ``root`` beside the SVG) replaces the image."""
    base = root.resolve()

    def fix(el: dict[str, Any]) -> dict[str, Any] | None:
        if el["t"] != "Image":
            return None
        attr, caption, (src, title) = el["c"]
        rendering = dict(attr[2]).get("png")
        attr[2] = [kv for kv in attr[2] if kv[0] != "png"]
        path = (root / Path(rendering).name if png and rendering else Path(src)).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            return {"t": "Str", "c": "图略"}
        return {"t": "Image", "c": [attr, caption, [path.relative_to(base).as_posix(), title]]}

    return walk(ast, fix)


def meta_text(text: str) -> dict[str, Any]:
    """A metadata string value, escaped by each writer like body text."""
    return {"t": "MetaInlines", "c": [{"t": "Str", "c": text}]}


def meta_value(value: Any) -> dict[str, Any]:
    """Python → pandoc metadata: str, bool, list, dict."""
    if isinstance(value, bool):
        return {"t": "MetaBool", "c": value}
    if isinstance(value, list | tuple):
        return {"t": "MetaList", "c": [meta_value(v) for v in value]}
    if isinstance(value, dict):
        return {"t": "MetaMap", "c": {k: meta_value(v) for k, v in value.items()}}
    return meta_text(str(value))


def count_headings(ast: dict[str, Any]) -> int:
    """How many headings the document body has."""
    return sum(1 for b in ast.get("blocks", []) if isinstance(b, dict) and b.get("t") == "Header")
