"""R5 (TRUST.md §4): the same inputs built twice give identical bytes for the data outputs.

Each build runs in its own process, with a different hash seed, at a different time (more than
the two-second resolution of zip timestamps apart) and into a different folder, so that dict
order, clocks and temporary paths would all show up as differences.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "render" / "bulletin.ipynb"
MINI = ROOT / "tests" / "fixtures" / "batch" / "mini.ipynb"

TABLES_AND_RENDER = """
import sys
from pathlib import Path
from openpyxl import Workbook
import statlib
from statlib.render import render
from statlib.tables import SUPPRESSED, Table, col, group, save_xlsx

out = Path(sys.argv[1])
store = statlib.open_store()
gdp = store.series("地区生产总值", "云川市")
t = (Table("表1 主要经济指标").columns(group("1—11月", col("绝对量", 2), col("同比增长(%)", 1)))
     .row("社会消费品零售总额", [42505.123, -5.44], unit="亿元")
     .row("商品零售", [SUPPRESSED, None], unit="亿元", sub_item=True, level=1)
     .rows_from(gdp.tail(4).to_frame("v").assign(g=1.5, u="亿元"), unit="u", decimals=2)
     .footnote("注：按可比价格计算。").source("云川市统计局"))
(out / "table.csv").write_text(t.to_csv(), encoding="utf-8")
t.to_xlsx(out / "table.xlsx")
wb = Workbook()
t.to_xlsx(wb, sheet="表1")
t.to_xlsx(wb, sheet="表2")
save_xlsx(wb, out / "book.xlsx")
import tempfile
import nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[2], as_version=4)  # render takes executed notebooks only
run = Path(tempfile.mkdtemp())
NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(run)}}).execute()
executed = run / Path(sys.argv[2]).name
nbformat.write(nb, executed)
for edition in ("internal", "public", "masked"):
    render(executed, ["html", "pdf", "docx"], edition=edition, out=out / "render")
"""


def _run(script: str, *args: str, seed: int, env: dict[str, str] | None = None) -> None:
    full = {**os.environ, "PYTHONHASHSEED": str(seed), **(env or {})}
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


@pytest.mark.slow
def test_tables_and_rendered_documents_twice(tmp_path: Path, demo_db: Path) -> None:
    builds = []
    for seed in (1, 2):
        out = tmp_path / f"build{seed}"
        out.mkdir()
        started = time.monotonic()
        _run(TABLES_AND_RENDER, str(out), str(FIXTURE), seed=seed, env={"STATLIB_DB": str(demo_db)})
        builds.append(_files(out))
        time.sleep(max(0.0, 2.1 - (time.monotonic() - started)))
    first, second = builds
    kinds = sorted({Path(k).suffix for k in first})
    assert len(first) == 12 and kinds == [".csv", ".docx", ".html", ".pdf", ".xlsx"]
    assert _differences(first, second) == []
    print(
        f"\nR5: {len(first)} tables and documents ({', '.join(kinds)}) built twice in separate "
        f"processes: {len(first) - len(_differences(first, second))}/{len(first)} identical"
    )


BUILD = """
import json, sys
from pathlib import Path
from statlib.batch import build
report = build(Path(sys.argv[1]), workers=2)
assert report.published and not report.failed, report.summary()
"""


def _data_parts(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest without timings and kernel ids (how long and in which process a job ran
    are not data)."""
    jobs = {
        k: {f: v for f, v in job.items() if f not in ("seconds", "kernel")}
        for k, job in manifest["jobs"].items()
    }
    return {**manifest, "jobs": jobs}


@pytest.mark.slow
def test_build_twice_same_bytes(tmp_path: Path, db_copy: Path) -> None:
    release = tmp_path / "release.json"
    release.write_text(
        json.dumps(
            {
                "period": "2023-11",
                "publications": [
                    {
                        "series": "mini",
                        "notebook": str(MINI.relative_to(ROOT)),
                        "regions": ["990200"],
                        "editions": ["internal", "public", "masked"],
                        "formats": ["html", "pdf", "docx"],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    published = []
    for seed in (1, 2):
        env = {
            "STATLIB_DB": str(db_copy),
            "STATLIB_OUTPUTS": str(tmp_path / f"out{seed}"),
            "STATLIB_WORK": str(tmp_path / f"work{seed}"),
        }
        _run(BUILD, str(release), seed=seed, env=env)
        published.append(_files((tmp_path / f"out{seed}" / "2023-11").resolve()))
        time.sleep(2.1)
    first, second = published
    manifests = [json.loads(files.pop("manifest.json")) for files in (first, second)]
    assert len(first) == 9 and _differences(first, second) == []
    a, b = (_data_parts(m) for m in manifests)
    if a["code_version"] != b["code_version"]:  # the sources changed between the two builds
        pytest.fail("statlib's sources changed during the test; run it again on a quiet tree")
    assert a == b
    print(
        f"\nR5: statlib build twice (3 editions × html/pdf/docx): {len(first)}/{len(first)} "
        f"published files identical; manifest data parts identical ({len(a['files'])} file "
        "entries, jobs, vintages, versions; timings excluded)"
    )
