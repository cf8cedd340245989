"""A Dask worker started in another folder, without the build's settings, runs the build's jobs
in the build's project (statlib.batch.run.run_job_in): `dask scheduler` and `dask worker` are
started here as a bureau would start them, from their own folder and environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from statlib.batch import build

FIX = "tests/fixtures/batch"


@pytest.mark.slow
def test_a_worker_started_elsewhere_builds_in_the_project(env: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    bare = {k: v for k, v in os.environ.items() if not k.startswith("STATLIB_")}
    bare["STATLIB_DB"] = str(tmp_path / "elsewhere.duckdb")  # the worker's own: not the build's
    scheduler_file = tmp_path / "scheduler.json"

    def start(*args: str) -> subprocess.Popen[bytes]:  # from its own folder and environment
        return subprocess.Popen(
            [sys.executable, "-m", *args, "--no-dashboard"],
            cwd=elsewhere,
            env=bare,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    scheduler = ("distributed.cli.dask_scheduler", "--scheduler-file", str(scheduler_file))
    procs = [start(*scheduler, "--port", "0")]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text(encoding="utf-8"))["address"]
        procs.append(
            start("distributed.cli.dask_worker", address, "--nworkers", "1", "--nthreads", "1")
        )
        release = env / "release.yaml"
        mini = {
            "series": "mini",
            "notebook": f"{FIX}/mini.ipynb",
            "regions": ["990200"],
            "editions": ["internal", "public"],
            "formats": ["html"],
        }
        release.write_text(
            json.dumps({"period": "2023-11", "publications": [mini]}), encoding="utf-8"
        )
        report = build(release, cluster=address)
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(timeout=30)
    assert report.failed == [] and len(report.built) == 2
    folder = env / "outputs" / "2023-11"
    assert (folder / "public/mini/990200/mini.public.html").is_file()
    assert not list(elsewhere.rglob("*.html")) and not list(elsewhere.rglob("*.duckdb"))
