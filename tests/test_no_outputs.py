"""Every notebook in git is committed without outputs and execution counts (nbstripout)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tracked() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return sorted(listed.stdout.split())


def residue(notebook: dict[str, Any]) -> list[str]:
    """What a stripped notebook must not hold: ``cell N: outputs`` / ``cell N: execution_count``."""
    found = []
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            found.append(f"cell {number}: outputs")
        if cell.get("execution_count") is not None:
            found.append(f"cell {number}: execution_count")
    return found


TRACKED = _tracked()


def test_the_repository_has_notebooks() -> None:
    assert len(TRACKED) >= 5 and "notebooks/bulletin.ipynb" in TRACKED


@pytest.mark.parametrize("path", TRACKED)
def test_tracked_notebook_is_stripped(path: str) -> None:
    notebook = json.loads((ROOT / path).read_text(encoding="utf-8"))
    assert residue(notebook) == [], f"{path}: run nbstripout {path} (or pre-commit install)"


CODE = {"cell_type": "code", "metadata": {}, "source": "1 + 1"}


@pytest.mark.parametrize(
    ("cells", "found"),
    [
        ([{**CODE, "outputs": [], "execution_count": None}], []),
        ([{"cell_type": "markdown", "metadata": {}, "source": "# 标题"}], []),
        (
            [
                {"cell_type": "markdown", "metadata": {}, "source": "# 标题"},
                {
                    **CODE,
                    "execution_count": 3,
                    "outputs": [{"output_type": "execute_result", "data": {"text/plain": "2"}}],
                },
            ],
            ["cell 2: outputs", "cell 2: execution_count"],
        ),
        ([{**CODE, "outputs": [], "execution_count": 1}], ["cell 1: execution_count"]),
    ],
)
def test_the_checker_finds_outputs_and_counts(cells: list[dict], found: list[str]) -> None:
    assert residue({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}) == found
