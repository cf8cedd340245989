"""The statlib command as a user runs it (through click's runner): output, and the exit codes of
``statlib.errors.EXIT_CODES``, each with one line that names the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from statlib.cli import main


def run(*args: str, db: Path | None = None) -> Result:
    env = {"STATLIB_DB": str(db)} if db is not None else {}
    return CliRunner().invoke(main, list(args), env=env)


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
    assert out.exit_code == 0, out.stderr
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
    assert out.exit_code == 0, out.stderr
    assert "固定资产投资" in out.stdout and "2023年1—2月" in out.stdout
    assert "2023年1—3月" in out.stdout and "2023-01" not in out.stdout


def test_db_info(demo_db: Path) -> None:
    out = run("db", "info", "--vintages", db=demo_db)
    assert out.exit_code == 0, out.stderr
    assert "observations" in out.stdout and "分省年度数据.csv" in out.stdout


def _failing_rule(tmp: Path) -> str:
    folder = tmp / "rules"
    folder.mkdir()
    (folder / "gdp.yaml").write_text(
        "rules:\n"
        "  - id: gdp_tiny\n"
        "    type: range\n"
        "    description: 地区生产总值不超过1亿元\n"
        "    severity: blocking\n"
        "    indicators: [gdp]\n"
        '    regions: ["990200"]\n'
        "    min: 0\n"
        "    max: 1\n",
        encoding="utf-8",
    )
    return str(folder)


def _not_a_notebook(tmp: Path) -> str:
    path = tmp / "bulletin.ipynb"
    path.write_text("this is not JSON", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("query", "-i", "gdp", "-r", "全国", "--vintage", "x"), 2, "--vintage"),
        (
            ("registry", "advance", "bulletin", "2023", "99", "public", "approved", "--who", "x"),
            2,
            "not registered",
        ),
        (("query", "-i", "不存在", "-r", "全国"), 3, "unknown indicator"),
        (("ingest", "/nonexistent/file.csv"), 4, "no such file"),
        (("render", "{notebook}", "--to", "html"), 5, "bulletin.ipynb"),
        (("check", "--rules", "{rules}", "--period", "2023"), 7, "gdp_tiny"),
    ],
)
def test_exit_codes(
    db_copy: Path, tmp_path: Path, args: tuple[str, ...], code: int, words: str
) -> None:
    given = {"notebook": _not_a_notebook(tmp_path), "rules": _failing_rule(tmp_path)}
    out = run(*(a.format(**given) for a in args), db=db_copy)
    assert out.exit_code == code, out.output
    assert words in out.output
    if args[0] == "check":  # a failed check prints its report, then exits 7
        assert "blocking" in out.stdout and out.stderr == ""
    elif "--vintage" in args:  # click's own usage error, exit 2 as for a ConfigError
        assert out.stderr.startswith("Usage: ")
    else:  # a StatlibError: one line on stderr
        assert out.stderr.startswith("error: ") and out.stderr.count("\n") == 1, out.stderr


def test_ingest_reports_vintage_and_bad_input(db_copy: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("indicator,region,period,value\ngdp,990200,2024Q1,655.12\n", encoding="utf-8")
    out = run("ingest", str(good), db=db_copy)
    assert out.exit_code == 0, out.stderr
    assert "vintage 8: 1 new or changed values" in out.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator,region,period,value\ngdp,990200,2024Q2,12亿\n", encoding="utf-8")
    out = run("ingest", str(bad), db=db_copy)
    assert out.exit_code == 4
    assert "bad.csv" in out.stderr and "row 2" in out.stderr and "'value'" in out.stderr


def test_db_init_refuses_to_overwrite(db_copy: Path) -> None:
    out = run("db", "init", db=db_copy)
    assert out.exit_code == 3 and "--force" in out.stderr


def test_db_init_builds(tmp_path: Path) -> None:
    target = tmp_path / "new.duckdb"
    out = run("db", "init", db=target)
    assert out.exit_code == 0, out.stderr
    assert target.exists() and not list(tmp_path.glob(".*building"))
