"""docs/architecture.md is the code's map: every part of statlib/ sits in one layer of its table,
no import (at the top of a module or inside a function) reaches a higher layer, and no module is
longer than 600 lines."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "statlib"
DOC = ROOT / "docs" / "architecture.md"
MAX_LINES = 600


def layers(text: str) -> dict[str, int]:
    """Part → layer from the doc's layer table (rows ``| N name | `part`, … | … |``)."""
    found: dict[str, int] = {}
    for line in text.splitlines():
        m = re.match(r"^\| (\d) [^|]+\| ([^|]+) \|", line)
        if m:
            for part in re.findall(r"`([\w.]+)`", m[2]):
                assert part not in found, f"{part} is in two layers"
                found[part] = int(m[1])
    return found


def parts() -> set[str]:
    """The top-level modules and packages of statlib (``__init__`` for the package itself)."""
    names = {p.stem for p in PACKAGE.glob("*.py")}
    names |= {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    return names


def part_of(module: str) -> str:
    """``statlib.store.backends`` → ``store``; ``statlib`` → ``__init__``."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, part) of every statlib part that ``path`` imports, lazily or not. ``from statlib
    import x`` names part ``x``; ``from statlib import __version__`` is the package's metadata."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "statlib":
                found += [(node.lineno, a.name) for a in node.names if a.name != "__version__"]
            elif node.module.startswith("statlib."):
                found.append((node.lineno, part_of(node.module)))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, part_of(a.name)) for a in node.names if a.name == "statlib"
                      or a.name.startswith("statlib.")]  # fmt: skip
    return found


LAYERS = layers(DOC.read_text(encoding="utf-8"))
MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_part_is_in_one_layer() -> None:
    assert set(LAYERS) == parts(), {
        "not in docs/architecture.md": sorted(parts() - set(LAYERS)),
        "in the doc but not in statlib/": sorted(set(LAYERS) - parts()),
    }


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_import_reaches_a_higher_layer(path: Path) -> None:
    source = part_of(
        ".".join(path.relative_to(ROOT).with_suffix("").parts).replace(".__init__", "")
    )
    own = LAYERS[source]
    upward = [
        f"line {line}: {source} (layer {own}) imports {target} (layer {LAYERS[target]})"
        for line, target in imports(path)
        if target in LAYERS and LAYERS[target] > own
    ]
    assert upward == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_longer_than_600_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("| 0 foundation | `errors`, `fsio` | x |", {"errors": 0, "fsio": 0}),
        ("| 3 documents | `report` | the `Document` |", {"report": 3}),
        ("| layer | parts | what |", {}),
    ],
)
def test_the_layer_table_is_read(text: str, expected: dict[str, int]) -> None:
    assert layers(text) == expected


def test_an_upward_import_is_found(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from statlib.batch.run import build\n", encoding="utf-8")
    assert imports(module) == [(2, "batch")]
