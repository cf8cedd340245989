"""Readers and loads: encodings, wide layouts, XLSX, atomicity on both backends."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from statlib import InputError
from statlib.ingest import ingest_file, read, readers
from statlib.store.store import Store

NBS = Path(__file__).resolve().parents[2] / "data" / "nbs"

LONG = (
    "indicator,region,period,value,flags\n"
    "地区生产总值,云川市,2024Q1,655.12,P\n"
    "gdp_growth,990200,2024Q1,6.5,\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_encodings(writable: Store, tmp_path: Path, encoding: str) -> None:
    path = tmp_path / f"long_{encoding}.csv"
    path.write_bytes(LONG.encode(encoding))
    report = ingest_file(writable, path)
    assert (report.reader, report.rows_read, report.rows_added) == ("long", 2, 2)
    assert writable.series("gdp", "990200")["2024Q1"] == 655.12
    assert writable.series("gdp_growth", "云川市")["2024Q1"] == 6.5
    obs = writable.observations("gdp", "990200", "2024Q1", "2024Q1")
    assert obs["flags"].iloc[0] == "P"


def test_gbk_nbs_export(writable: Store, tmp_path: Path) -> None:
    path = tmp_path / "分省年度数据_gbk.csv"
    path.write_bytes((NBS / "分省年度数据_3.csv").read_text(encoding="utf-8").encode("gbk"))
    batch = read(path)
    assert batch.reader == "nbs" and batch.units == {"城镇单位就业人员": "万人"}
    assert "城镇单位数据不含私营单位" in batch.note
    report = ingest_file(writable, path)
    assert (report.rows_read, report.rows_added) == (527, 0)  # same values as the UTF-8 file


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "periods_as_columns.csv",
            "指标,2024年3月,2024年2月\n社会消费品零售总额(亿元),301.5,250.25\nfai,88.1,\n",
            {
                ("retail_cum", "2024-03"): 301.5,
                ("retail_cum", "2024-02"): 250.25,
                ("fai", "2024-03"): 88.1,
            },
        ),
        (
            "periods_as_rows.csv",
            "时间,retail_cum,fai\n2024-03,301.5,88.1\n2024-02,250.25,\n",
            {
                ("retail_cum", "2024-03"): 301.5,
                ("retail_cum", "2024-02"): 250.25,
                ("fai", "2024-03"): 88.1,
            },
        ),
    ],
)
def test_wide_layouts(
    writable: Store, tmp_path: Path, name: str, text: str, expected: dict
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    report = ingest_file(writable, path, region="云川市")
    assert report.rows_added == len(expected)
    for (ind, period), value in expected.items():
        assert writable.series(ind, "990200")[period] == value


def test_regions_as_rows_with_indicator_line(writable: Store, tmp_path: Path) -> None:
    path = tmp_path / "cities.csv"
    path.write_text(
        "指标：地区生产总值(亿元)\n地区,2024年第一季度\n云川市,655.12\n"
        "990100,512.3\n注：初步核算数。\n",
        encoding="utf-8",
    )
    report = ingest_file(writable, path)
    assert report.reader == "nbs" and report.rows_added == 2
    assert writable.series("gdp", "990100")["2024Q1"] == 512.3
    assert writable.vintages().iloc[-1]["note"] == "注：初步核算数。"


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def test_xlsx_long_and_wide(writable: Store, tmp_path: Path) -> None:
    long_xlsx = _workbook(
        tmp_path / "long.xlsx",
        [
            ["指标", "地区", "时间", "数值"],
            ["gdp", "云川市", "2024Q1", 655.12],
            ["gdp", "990100", "2024Q1", 512.3],
        ],
    )
    assert ingest_file(writable, long_xlsx).rows_added == 2
    wide_xlsx = _workbook(
        tmp_path / "wide.xlsx",
        [
            ["数据库：分省季度数据"],
            ["指标：地区生产总值(亿元)"],
            ["地区", "2024年第二季度"],
            ["云川市", 1400.5],
            ["数据来源：塞北自治区统计局"],
        ],
    )
    report = ingest_file(writable, wide_xlsx)
    assert (report.reader, report.rows_added) == ("wide", 1)
    assert writable.series("gdp", "990200")["2024Q2"] == 1400.5


def test_readers_are_registered() -> None:
    assert {"long", "wide", "nbs", "xlsx"} <= set(readers())


def _content(store: Store) -> list[str]:
    """Every row of the tables a load may touch, as text (NaN-safe), in a stable order."""
    out = []
    for table in ("observation", "vintage", "indicator"):
        frame = store.backend.query(f"SELECT * FROM {table}")
        out.append(frame.sort_values(list(frame.columns)).to_csv(index=False))
    return out


def test_bad_last_row_loads_nothing_on_either_backend(any_writable: Store, tmp_path: Path) -> None:
    path = tmp_path / "late_error.csv"
    path.write_text(LONG + "gdp,990200,2024Q2,abc,\n", encoding="utf-8")
    before = _content(any_writable)
    with pytest.raises(InputError) as err:
        ingest_file(any_writable, path)
    assert (err.value.row, err.value.column) == (4, "value")
    assert _content(any_writable) == before


def test_duplicate_key_by_code_and_name(any_writable: Store, tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(LONG + "gdp,990200,2024Q1,655.12,P\n", encoding="utf-8")
    with pytest.raises(InputError, match="duplicate") as err:
        ingest_file(any_writable, path)
    assert err.value.row == 2 and "also row 4" in str(err.value)


def _long(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text("indicator,region,period,value,flags\n" + body, encoding="utf-8")
    return path


def test_revise_makes_an_earlier_file_current_again(any_writable: Store, tmp_path: Path) -> None:
    store = any_writable
    first = _long(tmp_path, "first.csv", "gdp,990200,2024Q1,655.12,P\ngdp,990200,2024Q2,1400.5,P\n")
    fixed = _long(tmp_path, "fixed.csv", "gdp,990200,2024Q1,660.0,P\ngdp,990200,2024Q2,1400.5,P\n")
    v1 = ingest_file(store, first).vintage
    v2 = ingest_file(store, fixed).vintage
    assert v1 is not None and v2 == v1 + 1
    assert store.series("gdp", "990200")["2024Q1"] == 660.0
    again = ingest_file(store, first)  # undo the correction: not without --revise
    assert (again.rows_added, again.vintage) == (0, None)
    assert f"same content as vintage {v1}" in again.message
    assert f"1 of its values were changed since (latest vintage {v2})" in again.message
    assert "--revise" in again.message
    assert store.series("gdp", "990200")["2024Q1"] == 660.0
    assert store.latest_vintage() == v2
    revised = ingest_file(store, first, revise=True)
    assert (revised.rows_read, revised.rows_added, revised.vintage) == (2, 1, v2 + 1)
    assert store.series("gdp", "990200")["2024Q1"] == 655.12
    assert store.series("gdp", "990200", vintage=v2)["2024Q1"] == 660.0
    assert "revision: the content of vintage" in store.vintages().iloc[-1]["note"]
    # revising again changes nothing: every value is the latest, and the plain message says so
    assert ingest_file(store, first, revise=True).rows_added == 0
    assert ingest_file(store, first).message == (
        f"same content as vintage {v1}: nothing added (its values are still the latest)"
    )
    assert store.latest_vintage() == v2 + 1


def test_spellings_of_one_key_are_stored_canonically(any_writable: Store, tmp_path: Path) -> None:
    path = _long(
        tmp_path,
        "spellings.csv",
        "retail_cum,９９０２００,２０２４-１,301.5,Ｐ\nretail_cum,990200,2024年2月,350.25,\n"
        "社会消费品零售总额,云川市,2024-3,401.0,\n",
    )
    assert ingest_file(any_writable, path).rows_added == 3
    obs = any_writable.observations("retail_cum", "990200", "2024-01", "2024-03")
    assert list(obs["period"]) == ["2024-01", "2024-02", "2024-03"]
    assert list(obs["value"]) == [301.5, 350.25, 401.0]
    assert obs["flags"].iloc[0] == "P"


def test_store_key_refuses_a_second_value(any_writable: Store) -> None:
    """The key (indicator, region, period, vintage) is the store's, whatever a loader does."""
    be = any_writable.backend
    key = be.query(
        "SELECT indicator, region, period, vintage FROM observation "
        "ORDER BY indicator, region, period, vintage LIMIT 1"
    ).iloc[0]
    before = be.scalar("SELECT count(*) FROM observation")
    with pytest.raises(Exception, match=r"(?i)duplicate|unique|primary key"):
        with be.transaction():
            be.execute(
                "INSERT INTO observation (indicator, region, period, vintage, value) "
                "VALUES (?, ?, ?, ?, ?)",
                [key["indicator"], key["region"], key["period"], int(key["vintage"]), 1.0],
            )
    assert be.scalar("SELECT count(*) FROM observation") == before


def test_excel_sep_line_and_a_footer_without_line_break(writable: Store, tmp_path: Path) -> None:
    sep = tmp_path / "excel.csv"
    sep.write_text(
        "sep=;\nindicator;region;period;value\ngdp;990200;2024Q1;655.12\n", encoding="utf-8"
    )
    assert ingest_file(writable, sep).rows_added == 1
    footer = tmp_path / "no_final_newline.csv"  # an NBS export: the last line is the footer
    footer.write_text(
        (NBS / "分省年度数据_3.csv").read_text(encoding="utf-8").rstrip("\r\n"), encoding="utf-8"
    )
    report = ingest_file(writable, footer)
    assert (report.rows_read, report.rows_added) == (527, 0)


def test_old_schema_is_refused_with_what_to_do(db_copy: Path) -> None:
    import duckdb

    from statlib.errors import DataError
    from statlib.store import open_store

    con = duckdb.connect(str(db_copy))
    con.execute("UPDATE statlib_meta SET value = '1' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(DataError, match=r"schema version 1.*statlib db init --force"):
        open_store(str(db_copy))


def test_cli_revise(db_copy: Path, tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    exe = shutil.which("statlib")
    cmd = [exe] if exe else [sys.executable, "-c", "from statlib.cli import main; main()"]
    first = _long(tmp_path, "a.csv", "gdp,990200,2024Q1,655.12,P\n")
    fixed = _long(tmp_path, "b.csv", "gdp,990200,2024Q1,660.0,P\n")

    def run(*args: str) -> str:
        proc = subprocess.run(
            [*cmd, "ingest", *args, "--db", str(db_copy)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    assert "1 new or changed values" in run(str(first), str(fixed))
    assert "load it with --revise" in run(str(first))
    assert "1 new or changed values" in run("--revise", str(first))


def test_cli_checks_files_before_taking_the_write_lock(db_copy: Path) -> None:
    """A bad file is refused while another process holds the store: no lock is taken for it."""
    import shutil
    import subprocess
    import sys

    import duckdb

    exe = shutil.which("statlib")
    cmd = [exe] if exe else [sys.executable, "-c", "from statlib.cli import main; main()"]
    bad = Path(__file__).resolve().parents[1] / "fixtures" / "bad" / "xlsx_cell_at_xfd1048576.xlsx"
    holder = duckdb.connect(str(db_copy))  # the write lock, held by this process
    try:
        proc = subprocess.run(
            [*cmd, "ingest", str(bad), "--db", str(db_copy)],
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        holder.close()
    assert proc.returncode == 4, proc.stderr
    assert "STATLIB_INGEST_MAX_COLUMNS" in proc.stderr and "row 1048576" in proc.stderr
    assert "locked" not in proc.stderr
