"""《决策参考》 of 2023-11 as built: the adjustment and the projection it says it uses.

One batch build (internal and masked editions, HTML) of ``notebooks/decision_reference.ipynb``
into a tmp output root with a copy of the demo database (a build registers its issues). The
text a reader sees is read as tests/render/test_chinese_only.py reads it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_chinese_only import html_text, latin_words

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def texts(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """edition → the reader's text of the built HTML."""
    base = tmp_path_factory.mktemp("decision")
    db = base / "statlib.duckdb"
    shutil.copy(demo_db, db)
    release = {
        "period": "2023-11",
        "publications": [
            {
                "series": "decision_reference",
                "regions": ["990200"],
                "editions": ["internal", "masked"],
                "formats": ["html"],
            }
        ],
    }
    params = base / "2023-11.yaml"
    params.write_text(yaml.safe_dump(release, allow_unicode=True), "utf-8")
    env = {
        **os.environ,
        "STATLIB_DB": str(db),
        "STATLIB_OUTPUTS": str(base / "outputs"),
        "STATLIB_WORK": str(base / "work"),
    }
    run = subprocess.run(
        [sys.executable, "-m", "statlib.cli", "build", "--params", str(params), "-j", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, f"build failed:\n{run.stdout}\n{run.stderr}"
    out = {}
    for edition in ("internal", "masked"):
        (page,) = (base / "outputs" / "2023-11" / edition / "decision_reference").rglob("*.html")
        out[edition] = html_text(page.read_bytes())
    return out


def section(text: str, heading: str, end: str | None = None) -> str:
    start = text.index(heading)
    stop = text.index(end, start) if end else len(text)
    return text[start:stop]


@pytest.mark.slow
@pytest.mark.parametrize(
    "words",
    [
        "春节",
        "工作日",
        "1—2月合计值按模型估计的春节和季节规律拆分为1月和2月，而非平均分摊",
        "回归—自回归求和移动平均模型",
        "局部加权回归季节分解",
        "异常值和基数效应",
        "2020年1—2月作为异常值",
        "2020年3月份作为暂时性变动",
        "95%预测区间：在历史波动规律不变的前提下",
        "1—2月合并为一期，1月不单独预测",
    ],
)
def test_methods_note_says_how(texts: dict[str, str], words: str) -> None:
    notes = section(texts["internal"], "方法说明")
    assert words in notes


@pytest.mark.slow
@pytest.mark.parametrize("edition", ["internal", "masked"])
def test_methods_and_projection_are_chinese(texts: dict[str, str], edition: str) -> None:
    text = texts[edition]
    for part in (section(text, "短期预测", "主要发现"), section(text, "方法说明")):
        assert latin_words(part) == []
    for name in ("STL", "ARIMA", "SARIMAX", "RegARIMA", "X-13", "ETS"):
        assert name not in text


@pytest.mark.slow
def test_projection_skips_january(texts: dict[str, str]) -> None:
    """After 2023-11 the published periods are 12月份, 1—2月 and 3月份; no 1月份 is forecast."""
    table = section(texts["internal"], "当月增速预测", "数据来源")
    labels = re.findall(r"20\d\d年(?:1—2月|\d+月份)", table)
    assert labels == ["2023年12月份", "2024年1—2月", "2024年3月份"]
    assert "2024年1月份" not in texts["internal"]


@pytest.mark.slow
def test_masked_edition_masks_the_projection(texts: dict[str, str]) -> None:
    """The masked copy keeps the interval's level (a method's setting), not its figures."""
    internal = section(texts["internal"], "短期预测", "主要发现")
    masked = section(texts["masked"], "短期预测", "主要发现")
    figures = set(re.findall(r"\d+\.\d", internal))
    assert len(figures) >= 9  # 3 periods × median, lower, upper
    assert not figures & set(re.findall(r"\d+\.\d", masked))
    assert "95%预测区间" in masked and "*.*" in masked
    said = section(texts["internal"], "估计影响分别为", "；")
    effects = re.findall(r"下降\d+\.\d%", said)
    assert len(effects) == 2  # the two 2020 outliers' estimated effects
    notes = section(texts["masked"], "方法说明")
    assert all(e not in notes for e in effects)
