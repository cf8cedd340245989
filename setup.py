"""The wheel carries the project skeleton (`statlib init`) as statlib/_skeleton, built here only.

In a checkout the skeleton is read from the source tree; nothing is duplicated in git.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SKELETON = (
    "notebooks",
    "params",
    "templates/series",
    "rules",
    "data/catalogue",
    "data/demo",
    "data/nbs",
)


def _copy(src: Path, dest: Path) -> None:
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


class BuildWithSkeleton(build_py):
    def run(self) -> None:
        super().run()
        dest = Path(self.build_lib) / "statlib" / "_skeleton"
        shutil.rmtree(dest, ignore_errors=True)
        for name in SKELETON:
            if (ROOT / name).is_dir():
                _copy(ROOT / name, dest / name)


setup(cmdclass={"build_py": BuildWithSkeleton})
