"""The statlib command as a user runs it: output, and distinct exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if db is not None:
        env["STATLIB_DB"] = str(db)
    return subprocess.run(
        [sys.executable, "-m", "statlib.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_query_csv(demo_db: Path) -> None:
    out = run(
        "query",
        "--indicator",
        "地区生产总值",
        "--region",
        "内蒙古自治区",
        "--start",
        "2022",
        "--format",
        "csv",
        db=demo_db,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "period,value",
        "2022,23795.70",
        "2023,25020.50",
        "2024,26337.00",
    ]


def test_query_table_has_chinese_labels(demo_db: Path) -> None:
    out = run(
        "query", "-i", "fai", "-r", "云川市", "--start", "2023-01", "--end", "2023-03", db=demo_db
    )
    assert out.returncode == 0, out.stderr
    assert "固定资产投资" in out.stdout and "2023年1—2月" in out.stdout
    assert "2023年1—3月" in out.stdout and "2023-01" not in out.stdout


def test_db_info(demo_db: Path) -> None:
    out = run("db", "info", "--vintages", db=demo_db)
    assert out.returncode == 0, out.stderr
    assert "observations" in out.stdout and "分省年度数据.csv" in out.stdout


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("query", "-i", "不存在", "-r", "全国"), 3, "unknown indicator"),
        (("query", "-i", "gdp", "-r", "全国", "--vintage", "x"), 2, "--vintage"),
        (("ingest", "/nonexistent/file.csv"), 4, "no such file"),
    ],
)
def test_exit_codes(db_copy: Path, args: tuple[str, ...], code: int, words: str) -> None:
    out = run(*args, db=db_copy)
    assert out.returncode == code
    assert words in out.stderr


def test_ingest_reports_vintage_and_bad_input(db_copy: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("indicator,region,period,value\ngdp,990200,2024Q1,655.12\n", encoding="utf-8")
    out = run("ingest", str(good), db=db_copy)
    assert out.returncode == 0, out.stderr
    assert "vintage 8: 1 new or changed values" in out.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator,region,period,value\ngdp,990200,2024Q2,12亿\n", encoding="utf-8")
    out = run("ingest", str(bad), db=db_copy)
    assert out.returncode == 4
    assert "bad.csv" in out.stderr and "row 2" in out.stderr and "'value'" in out.stderr


def test_db_init_refuses_to_overwrite(db_copy: Path) -> None:
    out = run("db", "init", db=db_copy)
    assert out.returncode == 3 and "--force" in out.stderr


def test_db_init_builds(tmp_path: Path) -> None:
    target = tmp_path / "new.duckdb"
    out = run("db", "init", db=target)
    assert out.returncode == 0, out.stderr
    assert target.exists() and not list(tmp_path.glob(".*building"))
