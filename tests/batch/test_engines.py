"""The rendering engines (pandoc, Typst, matplotlib, fontTools) in the cache key and manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from statlib.batch import build
from statlib.batch import cache as cache_mod
from statlib.batch.cache import engine_drift, engine_versions, static_key

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "tests" / "fixtures" / "batch" / "mini.ipynb"
BASE = {"pandoc": "3.9", "pypandoc-binary": "1.17", "typst": "0.15.2", "matplotlib": "3.11.2"}


def _key(engines: dict[str, str] | None) -> str:
    return static_key(NOTEBOOK, {"region": "990200"}, ["html"], "code", "templates", engines)


@pytest.mark.parametrize(
    ("change", "same"),
    [
        ({}, True),
        ({"pandoc": "3.9.1"}, False),
        ({"typst": "0.14.0"}, False),
        ({"matplotlib": "3.10.0"}, False),
        ({"pypandoc-binary": "1.16"}, False),
        ({"fonttools": "4.68.0"}, False),  # an engine added to the list
    ],
)
def test_an_engine_version_changes_the_cache_key(change: dict[str, str], same: bool) -> None:
    assert (_key({**BASE, **change}) == _key(dict(BASE))) is same


def test_engine_order_does_not_change_the_key() -> None:
    assert _key(dict(reversed(list(BASE.items())))) == _key(dict(BASE))


def test_installed_engines_match_the_pins() -> None:
    engines = engine_versions()
    assert set(engines) == {"pandoc", "pypandoc-binary", "typst", "matplotlib", "fonttools"}
    assert engine_drift(engines, ROOT / "constraints.txt") == []


@pytest.mark.parametrize(
    ("text", "drift"),
    [
        ("typst==0.15.2\npandoc==3.9\n", []),
        ("typst==0.14.0  # old\n", ["typst: installed 0.15.2, pinned 0.14.0"]),
        ("pypandoc_binary==1.16\n", ["pypandoc-binary: installed 1.17, pinned 1.16"]),
        ("# comment\nnumpy==2.0\nmatplotlib>=3\n", []),  # unknown or unpinned: not engines
    ],
)
def test_drift_names_each_engine_off_its_pin(text: str, drift: list[str], tmp_path: Path) -> None:
    path = tmp_path / "constraints.txt"
    path.write_text(text, encoding="utf-8")
    assert engine_drift(BASE, path) == drift
    assert engine_drift(BASE, tmp_path / "absent.txt") == []


@pytest.mark.slow  # two builds
def test_the_manifest_carries_the_engines_and_a_new_engine_rebuilds(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pub = {
        "series": "mini",
        "notebook": "tests/fixtures/batch/mini.ipynb",
        "regions": ["990200"],
        "editions": ["internal"],
        "formats": ["html"],
    }
    release = env / "release.yaml"
    release.write_text(json.dumps({"period": "2023-11", "publications": [pub]}), encoding="utf-8")
    assert build(release, workers=1).built == ["mini-990200-internal"]
    manifest = json.loads((env / "outputs/2023-11/manifest.json").read_text(encoding="utf-8"))
    assert manifest["engines"] == engine_versions()
    assert build(release, workers=1).cached == ["mini-990200-internal"]
    newer = {**engine_versions(), "typst": "0.16.0"}
    monkeypatch.setattr(cache_mod, "engine_versions", lambda: newer)
    with pytest.warns(UserWarning, match=r"typst: installed 0.16.0, pinned 0.15.2"):
        again = build(release, workers=1)
    assert again.built == ["mini-990200-internal"]
    manifest = json.loads((env / "outputs/2023-11/manifest.json").read_text(encoding="utf-8"))
    assert manifest["engines"]["typst"] == "0.16.0"
