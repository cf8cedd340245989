"""The analyst's loop: statlib new, then statlib preview — the same calls as the batch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from statlib import ConfigError
from statlib.authoring import new_notebook, preview


def test_new_then_preview(tmp_path: Path, demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATLIB_DB", str(demo_db))
    path = new_notebook("bulletin", "2023-10", folder=tmp_path)
    assert path.name == "bulletin-2023-10.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["cells"][0]["cell_type"] == "raw" and "series: bulletin" in "".join(
        nb["cells"][0]["source"]
    )
    assert nb["cells"][1]["metadata"]["tags"] == ["parameters"]
    assert "period = '2023-10'" in "".join(nb["cells"][1]["source"])
    assert not any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
    with pytest.raises(ConfigError, match="exists already"):
        new_notebook("bulletin", "2023-10", folder=tmp_path)
    made = preview(path, out=tmp_path / "out", parameters={"region": "990202"})
    html = made["html"].read_text(encoding="utf-8")
    assert "一、工业生产" in html and "全区规模以上工业增加值按可比价格计算，同比" in html
    assert made["html"].name == "bulletin-2023-10.internal.html"


def test_unknown_series_and_bad_parameters(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"known series: .*bulletin"):
        new_notebook("newsletter", "2023-10", folder=tmp_path)
    path = new_notebook("bulletin", "2023-10", folder=tmp_path)
    with pytest.raises(ConfigError, match="declares no parameter"):
        preview(path, parameters={"secret": 1}, out=tmp_path / "out")
