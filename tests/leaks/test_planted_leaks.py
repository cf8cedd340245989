"""S3: seven leaks planted in public notebooks, as a careless or hurried analyst would write
them — each is caught by ``statlib build`` (nothing published) or cannot reach an output.

Measured before (issue 11): all seven were published with exit 0.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from statlib.batch import build
from statlib.errors import LeakError
from statlib.store import open_store

ROOT = Path(__file__).resolve().parents[2]
FRONT = "---\ntitle: 测试简报\nseries: bulletin\nunit: 云川市统计局\nedition: public\n---"
PARAMETERS = 'period = "2023-11"\nregion = "990200"\nedition = "public"'
SAY = "from IPython.display import Markdown, display\nimport statlib\n"


def _plants(store: object) -> dict[str, tuple[str, str]]:
    """name → (code of the planted cell, what must never reach an output)."""
    units = store.units(2023)  # type: ignore[attr-defined]
    top = units.sort_values("value_added").iloc[-1]
    value = float(top["value_added"])  # 万元, e.g. 503145.8
    # in 亿元 a figure needs five digits to be looked for anywhere (620.40, not 50.31: four-digit
    # 亿元 figures equal published ones by chance): the largest revenue has them
    revenue = float(units["revenue"].max())  # 万元, e.g. 6204027.9
    name = str(top["name"])
    hidden = float(store.value("ind_va", "990208", "2023-12"))  # type: ignore[attr-defined]
    # the oldest confidential figure of four digits (shorter ones match by chance, and the
    # public data layer never serves them: they cannot be read, only typed in)
    old = store.backend.query(  # type: ignore[attr-defined]
        "SELECT value FROM observation WHERE flags LIKE '%C%' AND value >= 10 "
        "ORDER BY period LIMIT 1"
    )["value"][0]
    return {
        "亿元 where the secret is in 万元": (
            f'display(Markdown("龙头企业营业收入{revenue / 10000:.2f}亿元。"))',
            f"{revenue / 10000:.2f}",
        ),
        "a trailing zero": (f'display(Markdown("增加值{value:.2f}万元。"))', f"{value:.2f}"),
        "a figure drawn in a PNG chart": (
            "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
            f'ax.text(0.5, 0.5, "{value:.1f}")\nplt.show()',
            f"{value:.1f}",
        ),
        "a rule-unsafe (not C-flagged) cell": (
            f'display(Markdown("黑河旗规模以上工业增加值{hidden:.2f}亿元。"))',
            f"{hidden:.2f}",
        ),
        "an enterprise name with zero-width spaces": (
            f'display(Markdown("{chr(0x200B).join(name)}"))',
            name,
        ),
        "a confidential value older than a year": (
            f'display(Markdown("黑河旗2014年规模以上工业增加值{float(old):.2f}亿元。"))',
            f"{float(old):.2f}",
        ),
        "a cell derived by subtraction from public figures": (
            "store = statlib.open_store(edition=edition)\n"
            'kids = [c.code for c in store.children("990200")]\n'
            'total = store.value("ind_va", "990200", "2023-12")\n'
            'rest = sum(store.value("ind_va", k, "2023-12") or 0 for k in kids if k != "990208")\n'
            'display(Markdown(f"黑河旗规模以上工业增加值{total - rest:.2f}亿元。"))',
            f"{hidden:.2f}",
        ),
    }


@pytest.fixture()
def env(db_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Outputs in a temporary folder; the notebooks inside the project (a release names its
    notebooks by project-relative paths), in an ignored folder removed afterwards."""
    monkeypatch.setenv("STATLIB_DB", str(db_copy))
    monkeypatch.setenv("STATLIB_OUTPUTS", str(tmp_path / "outputs"))
    monkeypatch.setenv("STATLIB_WORK", str(tmp_path / "work"))
    notebooks = ROOT / ".statlib" / f"planted-{uuid.uuid4().hex[:8]}"
    notebooks.mkdir(parents=True)
    try:
        yield tmp_path, notebooks
    finally:
        shutil.rmtree(notebooks, ignore_errors=True)


def _notebook(path: Path, code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    params = nbformat.v4.new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_raw_cell(FRONT),
        params,
        nbformat.v4.new_code_cell("#| echo: false\n" + SAY + code),
    ]
    nbformat.write(nb, path)
    return path


@pytest.mark.slow  # seven whole builds
def test_seven_planted_leaks_publish_nothing(env: tuple[Path, Path]) -> None:
    env, notebooks = env
    with open_store(edition="internal") as store:
        plants = _plants(store)
    caught = 0
    for i, (what, (code, secret)) in enumerate(plants.items()):
        nb = _notebook(notebooks / f"plant{i}.ipynb", code)
        release = env / f"release{i}.yaml"
        release.write_text(
            json.dumps(
                {
                    "period": "2023-11",
                    "publications": [
                        {
                            "series": "bulletin",
                            "notebook": str(nb.relative_to(ROOT)),
                            "regions": ["990200"],
                            "editions": ["public"],
                            "formats": ["html", "pdf", "docx"],
                        }
                    ],
                }
            ),
            encoding="utf-8",
        )
        try:
            report = build(release, workers=1)
        except LeakError:
            caught += 1
            assert not (env / "outputs" / "2023-11").exists(), what
            continue
        # not caught: then the secret cannot have reached any published byte
        assert report.failed == [], (what, report.failed)
        folder = env / "outputs" / "2023-11"
        for file in folder.rglob("*"):
            if file.is_file() and file.suffix in (".html", ".docx", ".pdf"):
                assert secret.encode() not in file.read_bytes(), (what, file)
        html = next(folder.rglob("*.html")).read_text(encoding="utf-8")
        assert secret not in html and "…" not in secret, what
        shutil.rmtree(env / "outputs")
    print(
        f"\nS3: {len(plants)} leaks planted in public notebooks, {caught} stopped the "
        f"release, {len(plants) - caught} could not reach an output, 0 published"
    )
