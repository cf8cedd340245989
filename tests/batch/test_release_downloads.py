"""A release ships each bulletin's and quarterly release's 附表 as XLSX and CSV beside its PDF.

The real notebooks are built for two regions in every edition; the test reads what was
published with plain pandas (typed columns, no ``Unnamed``), finds the files in the manifest
and linked from the outputs index, and none in the masked edition.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from statlib.batch import build
from statlib.batch.jobs import load_release, plan

ROOT = Path(__file__).resolve().parents[2]

RELEASE = {
    "period": "2023Q3",
    "publications": [
        {
            "series": "bulletin",
            "regions": ["990200", "990202"],
            "editions": ["internal", "public", "masked"],
            "formats": ["html", "pdf", "xlsx", "csv"],
            "parameters": {"period": "2023-09"},
        },
        {
            "series": "quarterly_release",
            "regions": ["990200"],
            "editions": ["public"],
            "formats": ["html", "pdf", "xlsx", "csv"],
        },
    ],
}


def test_masked_jobs_plan_no_downloads(tmp_path: Path) -> None:
    release = tmp_path / "release.yaml"
    release.write_text(json.dumps(RELEASE, ensure_ascii=False), encoding="utf-8")
    formats = {(j.series, j.edition): j.formats for j in plan(load_release(release), root=ROOT)}
    assert formats == {
        ("bulletin", "internal"): ("html", "pdf", "xlsx", "csv"),
        ("bulletin", "public"): ("html", "pdf", "xlsx", "csv"),
        ("bulletin", "masked"): ("html", "pdf"),
        ("quarterly_release", "public"): ("html", "pdf", "xlsx", "csv"),
    }


@pytest.mark.slow
def test_every_release_ships_its_attached_tables(env: Path) -> None:
    release = env / "release.yaml"
    release.write_text(json.dumps(RELEASE, ensure_ascii=False), encoding="utf-8")
    result = build(release, workers=2)
    assert result.failed == [] and len(result.built) == 7
    folder = env / "outputs" / "2023q3"  # the release folder is the slug of its period
    files = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]

    expected = [
        f"{edition}/bulletin/{region}/bulletin.{edition}"
        for edition in ("internal", "public")
        for region in ("990200", "990202")
    ] + ["public/quarterly_release/990200/quarterly_release.public"]
    for stem in expected:
        assert {f"{stem}{s}" for s in (".pdf", ".xlsx", ".csv")} <= set(files), stem
    downloads = {f for f in files if f.endswith((".xlsx", ".csv"))}
    assert downloads == {f"{stem}{s}" for stem in expected for s in (".xlsx", ".csv")}  # no masked
    assert [f for f in files if f.startswith("masked/") and f.endswith(".pdf")]

    for stem in expected:
        csv = pd.read_csv(folder / f"{stem}.csv")
        book = pd.read_excel(folder / f"{stem}.xlsx", sheet_name=None)
        assert list(book)[:3] == ["封面", "目录", "说明"], stem
        for frame in [csv, *list(book.values())[3:]]:
            assert not [c for c in frame.columns if str(c).startswith("Unnamed")], stem
            values = [c for c in frame.columns if "%" in str(c) and "_标志" not in str(c)]
            assert values and all(frame[c].dtype.kind in "if" for c in values), stem
        assert csv["period"].iloc[0] == ("2023Q3" if "quarterly" in stem else "2023-09")
        assert csv["指标"].str.len().min() > 0

    index = (env / "outputs" / "index.html").read_text(encoding="utf-8")  # the release's links
    for stem in expected:
        assert f'href="2023q3/{stem}.xlsx"' in index and f'href="2023q3/{stem}.csv"' in index
