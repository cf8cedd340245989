"""What a project skeleton holds and how it is copied: standard library only, because
``setup.py`` loads this file by path at wheel-build time (``statlib/_skeleton``) and ``statlib
init`` copies the same folders into a new project."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

__all__ = ["SKELETON", "copy_tree"]

#: the project folders a skeleton carries, relative to the project root
SKELETON = (
    "notebooks",
    "params",
    "templates/series",
    "rules",
    "data/catalogue",
    "data/nbs",
)
# data/demo is not carried: ``statlib init`` regenerates the demo data set (11.6 MB of CSV)
# byte for byte with ``statlib.demo.generate`` (tests/core/test_project.py compares them).


def copy_tree(src: Path, dest: Path) -> None:
    """Copy ``src`` into ``dest``: no checkpoints or databases; notebooks without outputs."""
    for f in sorted(src.rglob("*")):
        if f.is_dir() or ".ipynb_checkpoints" in f.parts or f.suffix in {".duckdb", ".wal"}:
            continue
        out = dest / f.relative_to(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        if f.suffix == ".ipynb":  # committed without outputs; strip them anyway
            nb = json.loads(f.read_text(encoding="utf-8"))
            for cell in nb.get("cells", []):
                if cell.get("cell_type") == "code":
                    cell["outputs"], cell["execution_count"] = [], None
            out.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        else:
            shutil.copy2(f, out)
