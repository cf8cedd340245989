"""The wheel carries the project skeleton (`statlib init`) as statlib/_skeleton, built here only.

In a checkout the skeleton is read from the source tree; nothing is duplicated in git.
"""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# statlib/_skeleton_files.py is standard library only: loaded by path, statlib's dependencies
# need not be installed in the build environment
_FILES = runpy.run_path(str(ROOT / "statlib" / "_skeleton_files.py"))
SKELETON, copy_tree = _FILES["SKELETON"], _FILES["copy_tree"]


class BuildWithSkeleton(build_py):
    def run(self) -> None:
        super().run()
        dest = Path(self.build_lib) / "statlib" / "_skeleton"
        shutil.rmtree(dest, ignore_errors=True)
        for name in SKELETON:
            if (ROOT / name).is_dir():
                copy_tree(ROOT / name, dest / name)


setup(cmdclass={"build_py": BuildWithSkeleton})
