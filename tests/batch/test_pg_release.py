"""The whole release on PostgreSQL, with the CLI, equals the release built on DuckDB.

On a fresh PostgreSQL database and on a fresh DuckDB file, each in its own outputs, work and
cache folders: ``statlib db init``, ``statlib build`` (the quick start's demo release, which
registers its issues), ``statlib check``, ``statlib registry advance``, ``statlib publish`` and
``statlib site``. Every published file — the release folder and the site, data portal
included — must have the same bytes on both backends; the release manifest must be equal but
for the fields of one run (kernel ids and timings).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from statlib.config import project_root

pytestmark = pytest.mark.slow  # the whole demo release built on both backends

PERIOD = "2023"
# the public publications of params/2023.yaml, as the registry numbers them (series, period)
PUBLIC = [("bulletin", "2023-12"), ("quarterly_release", "2023Q4"), ("yearbook", "2023")]
NOW = "2024-01-20T09:30"
RUN_FIELDS = {"kernel", "seconds"}  # differ between any two runs, on any backend


def _statlib(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "statlib.cli", *args],
        env=env,
        cwd=project_root(),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    return done


def _release(backend: str, url: str, root: Path) -> tuple[Path, dict[str, str]]:
    """Run the release on one backend with the CLI; returns the outputs folder and the text
    each command printed."""
    env = {
        **os.environ,
        "STATLIB_DB": url,
        "STATLIB_OUTPUTS": str(root / "outputs"),
        "STATLIB_WORK": str(root / "work"),
        "STATLIB_CACHE": str(root / "cache"),
        "PYTHONPATH": str(project_root()),
    }
    said: dict[str, str] = {}

    def run(name: str, *args: str, code: int = 0) -> str:
        done = _statlib(env, *args)
        said[name] = done.stdout + done.stderr
        assert done.returncode == code, f"{backend}: statlib {' '.join(args)}:\n{said[name]}"
        assert "Traceback" not in said[name], said[name]
        return done.stdout

    run("db init", "db", "init")
    out = run("build", "build", "-j", "2")
    assert f"{PERIOD}: 30 built, 0 cached, 0 failed" in out
    run("check", "check", "--period", "2023-12")
    # the build registered every issue (第X期 in its masthead); review and approve the public ones
    registered = run("registry list (built)", "registry", "list", "--year", PERIOD).splitlines()
    for series, period in PUBLIC:
        row = next(
            line.split()
            for line in registered
            if line.split()[0] == series and line.split()[3:5] == ["public", period]
        )
        year, issue, edition = row[1], row[2].removeprefix("第").removesuffix("期"), row[3]
        for status in ("reviewed", "approved"):
            run(
                f"registry {status} {series}",
                "registry",
                "advance",
                series,
                year,
                issue,
                edition,
                status,
                "--who",
                "审核",
            )
    published = run("publish", "publish", "--period", PERIOD, "--who", "发布", "--now", NOW)
    lines = [line for line in published.splitlines() if line.startswith("published ")]
    assert len(lines) == len(PUBLIC), published
    for series, _period in PUBLIC:
        assert any(line.startswith(f"published {series} ") for line in lines), published
    run("site", "site")
    listing = run("registry list", "registry", "list", "--year", "2023")
    assert listing.count("published") >= len(PUBLIC), listing
    return root / "outputs", said


def _files(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (its real folder), by relative path."""
    real = folder.resolve()
    return {
        str(p.relative_to(real)): p.read_bytes() for p in sorted(real.rglob("*")) if p.is_file()
    }


def _without_run_fields(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_run_fields(v) for k, v in value.items() if k not in RUN_FIELDS}
    if isinstance(value, list):
        return [_without_run_fields(v) for v in value]
    return value


def test_release_on_postgresql_equals_duckdb(pg_empty: str, tmp_path: Path) -> None:
    pg_out, pg_said = _release("postgresql", pg_empty, tmp_path / "pg")
    duck_out, _ = _release("duckdb", str(tmp_path / "duck" / "statlib.duckdb"), tmp_path / "duck")
    assert "postgresql" in pg_said["db init"] or pg_empty in pg_said["db init"]

    compared = 0
    for part in (PERIOD, "site"):
        pg, duck = _files(pg_out / part), _files(duck_out / part)
        assert sorted(pg) == sorted(duck), f"{part}: the backends published other files"
        assert len(pg) > 10
        for name in pg:
            if name == "manifest.json":
                a, b = (_without_run_fields(json.loads(x[name])) for x in (pg, duck))
                assert a == b, f"{part}/{name} differs beyond the run's kernels and timings"
            else:
                assert pg[name] == duck[name], f"{part}/{name} differs between the backends"
            compared += 1
    site = _files(pg_out / "site")
    assert any(n.startswith("files/bulletin/") for n in site)  # the publications went out
    assert any(n.startswith("data/") for n in site)  # and the data portal
    print(
        f"PostgreSQL: release {PERIOD} built, checked, registered, published and put on the "
        f"site with the CLI: {compared}/{compared} published files equal to DuckDB's"
    )


def test_failed_db_init_on_postgresql_stores_nothing(pg_empty: str, tmp_path: Path) -> None:
    """`statlib db init` on PostgreSQL is one transaction: a source file that fails after the
    catalogues and unit tables were loaded leaves the database empty, and a fixed rerun works."""
    import shutil

    from statlib.errors import InputError
    from statlib.ingest.bundle import build
    from statlib.store import open_store

    data = tmp_path / "data"
    shutil.copytree(project_root() / "data", data)
    bad = data / "demo" / "observations.csv"
    good = bad.read_text(encoding="utf-8")
    bad.write_text(good + "gdp,990000,2013Q9,12.5,,,,\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        build(pg_empty, data_dir=data)
    assert "observations.csv" in str(err.value)
    with open_store(pg_empty) as store:
        counts = store.info()
    stored = {
        k: counts[k]
        for k in (
            "indicators",
            "regions",
            "observations",
            "vintages",
            "enterprise_records",
            "survey_responses",
        )
    }
    assert stored == dict.fromkeys(stored, 0)
    bad.write_text(good, encoding="utf-8")
    build(pg_empty, data_dir=data)
    with open_store(pg_empty) as store:
        assert store.info()["vintages"] >= 3
        assert store.series("gdp", "990200")["2023Q4"] == 2846.39
