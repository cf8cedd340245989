"""statlib build: cache, failures, safety, atomic publication, Dask — on small real notebooks."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from statlib import ConfigError, open_store
from statlib.batch import build
from statlib.batch.jobs import load_release, plan
from statlib.batch.run import lane_sizes
from statlib.fsio import inside, slug
from statlib.ingest import ingest_file

FIX = "tests/fixtures/batch"


def _release(tmp: Path, pubs: list[dict], name: str = "release.yaml") -> Path:
    path = tmp / name
    path.write_text(
        json.dumps({"period": "2023-11", "publications": pubs}, ensure_ascii=False),
        encoding="utf-8",
    )
    return path


MINI = {
    "series": "mini",
    "notebook": f"{FIX}/mini.ipynb",
    "regions": ["990200", "990202"],
    "editions": ["internal", "public"],
    "formats": ["html"],
}
CPI = {
    "series": "cpi",
    "notebook": f"{FIX}/mini_cpi.ipynb",
    "regions": ["990200"],
    "editions": ["internal"],
    "formats": ["html"],
}


def _published(outputs: Path) -> dict[str, str]:
    manifest = json.loads((outputs / "2023-11" / "manifest.json").read_text(encoding="utf-8"))
    for rel, entry in manifest["files"].items():
        assert (outputs / "2023-11" / rel).stat().st_size == entry["bytes"]
    return {rel: e["sha256"] for rel, e in manifest["files"].items()}


def _change(db: Path, tmp: Path, indicator: str, value: float) -> None:
    path = tmp / f"{indicator}.csv"
    path.write_text(
        f"indicator,region,period,value\n{indicator},990200,2023-11,{value}\n", encoding="utf-8"
    )
    with open_store(str(db), read_only=False) as store:
        assert ingest_file(store, path).rows_added == 1


@pytest.mark.slow
def test_build_cache_and_exact_reruns(env: Path, db_copy: Path) -> None:
    release = _release(env, [MINI, CPI])
    first = build(release, workers=2)
    assert (sorted(first.built), first.failed) == (
        sorted(
            [
                "mini-990200-internal",
                "mini-990200-public",
                "mini-990202-internal",
                "mini-990202-public",
                "cpi-990200-internal",
            ]
        ),
        [],
    )
    files = _published(env / "outputs")
    assert "internal/mini/990200/mini.internal.html" in files
    assert "public/mini/990202/mini.public.html" in files
    html = (env / "outputs/2023-11/internal/mini/990200/mini.internal.html").read_text("utf-8")
    assert "全市规模以上工业增加值按可比价格计算，同比增长" in re.sub(r"<[^>]+>", "", html)
    assert (env / "outputs/index.html").is_file()
    started = time.perf_counter()
    noop = build(release, workers=2)
    assert time.perf_counter() - started < 1.0
    assert (noop.built, len(noop.cached), noop.published) == ([], 5, False)
    _change(db_copy, env, "cpi", 100.9)  # read by the CPI brief only
    again = build(release, workers=2)
    assert again.built == ["cpi-990200-internal"] and len(again.cached) == 4
    _change(db_copy, env, "ind_va_cum_growth", 9.9)  # read by the four industry briefs
    again = build(release, workers=2)
    assert sorted(again.built) == sorted(
        f"mini-{r}-{e}" for r in ("990200", "990202") for e in ("internal", "public")
    )
    html = (env / "outputs/2023-11/internal/mini/990200/mini.internal.html").read_text("utf-8")
    assert "增长9.9%" in re.sub(r"<[^>]+>", "", html)


@pytest.mark.slow
def test_failures_are_reported_and_never_published(env: Path) -> None:
    broken = {
        "series": "broken",
        "notebook": f"{FIX}/broken.ipynb",
        "regions": ["990200"],
        "editions": ["internal"],
        "formats": ["html"],
    }
    slow = {
        "series": "slow",
        "notebook": f"{FIX}/slow.ipynb",
        "regions": ["990200"],
        "editions": ["internal"],
        "formats": ["html"],
    }
    release = _release(env, [MINI, broken, slow])
    report = build(release, workers=2, timeout=8)
    assert report.exit_code != 0 and len(report.built) == 4
    failed = {f["job"]: f for f in report.failed}
    assert failed["broken-990200-internal"]["cell"] == 4  # of the executed notebook
    assert "planted failure in 990200" in failed["broken-990200-internal"]["error"]
    assert "Timeout" in failed["slow-990200-internal"]["error"]
    kept = Path(failed["broken-990200-internal"]["notebook"])
    assert kept.is_file() and env / "outputs" not in kept.parents
    published = _published(env / "outputs")
    assert not [rel for rel in published if "broken" in rel or "slow" in rel]
    retry = build(release, workers=2, timeout=8, retry_failed=True)
    assert sorted(f["job"] for f in retry.failed) == [
        "broken-990200-internal",
        "slow-990200-internal",
    ]
    assert retry.built == [] and _published(env / "outputs") == published


@pytest.mark.parametrize(
    ("pub", "message"),
    [
        ({"parameters": {"os.system('x')": 1}}, "not a Python identifier"),
        ({"parameters": {"period\nimport os": 1}}, "not a Python identifier"),
        ({"parameters": {"undeclared": 1}}, "declares no parameter"),
        ({"parameters": {"region": 990200}}, "must be a str"),
        ({"parameters": {"region": ["990200"]}}, "must be a str"),
        ({"notebook": "../../etc/passwd"}, "leaves the output root"),
        ({"notebook": "/etc/passwd"}, "leaves the output root"),
        ({"editions": ["secret"]}, "unknown edition"),
    ],
)
def test_hostile_release_rejected_before_any_kernel(env: Path, pub: dict, message: str) -> None:
    release = _release(env, [{**MINI, **pub}])
    with pytest.raises(ConfigError, match=message):
        plan(load_release(release))


@pytest.mark.parametrize(
    "name", ["../escaped", "/etc/passwd", "a/../../b", "..", "\x00evil", "ＮＵＬ／..", "a\\..\\b"]
)
def test_hostile_output_names_stay_inside(tmp_path: Path, name: str) -> None:
    try:
        part = slug(name)
    except ConfigError:
        return
    assert "/" not in part and ".." not in part and "\x00" not in part
    target = inside(tmp_path, part)
    assert tmp_path.resolve() in target.parents


def test_hostile_parameter_value_is_text(env: Path) -> None:
    value = "990200'); import os; os.system('touch /tmp/statlib-pwned'); ('"
    release = _release(env, [{**MINI, "regions": [value], "editions": ["internal"]}])
    report = build(release, workers=1)
    assert len(report.failed) == 1 and "unknown region" in report.failed[0]["error"]
    assert not Path("/tmp/statlib-pwned").exists()


@pytest.mark.slow  # a real Dask cluster of two workers
@pytest.mark.parametrize("how", ["local", "address"])
def test_dask_cluster_gives_the_same_files(
    env: Path, tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--cluster local``, and ``--cluster tcp://HOST:PORT`` of a real two-worker cluster."""
    from dask.distributed import LocalCluster

    release = _release(env, [MINI])
    build(release, workers=2)
    local = _published(env / "outputs")
    monkeypatch.setenv("STATLIB_OUTPUTS", str(tmp_path / "dask-outputs"))
    monkeypatch.setenv("STATLIB_WORK", str(tmp_path / "dask-work"))
    with contextlib.ExitStack() as stack:
        address = "local"
        if how == "address":
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
                )
            )
            address = cluster.scheduler_address
            assert address.startswith("tcp://")
        report = build(release, cluster=address)
    assert report.failed == [] and len(report.built) == 4
    workers = {
        json.loads((tmp_path / "dask-outputs/2023-11/manifest.json").read_text())["jobs"][j][
            "status"
        ]
        for j in report.built
    }
    assert workers == {"built"}
    assert _published(tmp_path / "dask-outputs") == local


@pytest.mark.slow
def test_sigkill_during_build_leaves_old_or_new(env: Path) -> None:
    release = _release(env, [MINI])
    build(release, workers=2)
    before = _published(env / "outputs")
    # force a full rebuild, then kill it at several moments
    code = f"import sys; from statlib.batch import build; build({str(release)!r}, workers=2)"
    for delay in (0.5, 2.0, 4.0, 6.0):
        for cache in (env / "work").rglob("cache/*.json"):
            cache.unlink()
        proc = subprocess.Popen(
            [sys.executable, "-c", code], env=dict(os.environ), start_new_session=True
        )
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        after = _published(env / "outputs")  # every file of the current manifest intact
        assert set(after) == set(before)


@pytest.mark.slow  # whole builds
def test_blocking_rule_stops_the_build_unless_overridden(env: Path, db_copy: Path) -> None:
    from statlib.errors import CheckError

    path = env / "fault.csv"  # a county value that breaks counties-sum-to-city
    path.write_text("indicator,region,period,value\nfai,990202,2023-11,99999\n", encoding="utf-8")
    with open_store(str(db_copy), read_only=False) as store:
        assert ingest_file(store, path).rows_added == 1
    release = _release(env, [CPI])
    with pytest.raises(CheckError, match="blocking"):
        build(release, workers=1)
    assert not (env / "outputs" / "2023-11").exists()
    why = "县区数据待核实，先行发布"  # the fault breaks the county sum and the stated growth
    report = build(
        release,
        workers=1,
        overrides=[
            ("counties_sum_to_city", why, "统计科"),
            ("nominal_growth_matches_levels", why, "统计科"),
        ],
    )
    assert report.built == ["cpi-990200-internal"]
    manifest = json.loads((env / "outputs/2023-11/manifest.json").read_text(encoding="utf-8"))
    assert manifest["checks"]["overrides"][0]["reason"] == "县区数据待核实，先行发布"


def test_unit_records_in_a_public_edition_publish_nothing(env: Path) -> None:
    """The leaky notebook reads enterprise records in a public run: the data layer refuses
    (statlib.editions), the job fails with the reason, nothing of it is published. Leaks typed
    into notebooks are caught by the scan: tests/leaks/test_planted_leaks.py."""
    leaky = {
        "series": "leaky",
        "notebook": f"{FIX}/leaky.ipynb",
        "regions": ["990200"],
        "editions": ["public"],
        "formats": ["html"],
    }
    report = build(_release(env, [CPI, leaky]), workers=1)
    assert [f["job"] for f in report.failed] == ["leaky-990200-public"]
    assert "EditionError" in report.failed[0]["error"]
    assert "never reach the public edition" in report.failed[0]["error"]
    assert not (env / "outputs" / "2023-11" / "public").exists()


@pytest.mark.parametrize(
    ("counts", "workers", "sizes"),
    [
        ({"internal": 12, "public": 10}, 2, {"internal": 1, "public": 1}),
        ({"internal": 11, "public": 19}, 2, {"internal": 1, "public": 1}),
        ({"internal": 12, "public": 10}, 1, {"internal": 1, "public": 0}),
        ({"internal": 12, "public": 10}, 4, {"internal": 2, "public": 2}),
        ({"internal": 20, "public": 1}, 2, {"internal": 2, "public": 0}),
        ({"internal": 3, "public": 1}, 8, {"internal": 3, "public": 1}),
        ({"internal": 6, "public": 3, "masked": 3}, 4, {"internal": 2, "public": 1, "masked": 1}),
        ({"internal": 6, "public": 3, "masked": 3}, 2, {"internal": 1, "public": 1, "masked": 0}),
    ],
)
def test_lane_sizes_share_workers_by_edition(counts: dict, workers: int, sizes: dict) -> None:
    assert lane_sizes(counts, workers) == sizes


@pytest.mark.slow  # whole builds
def test_each_worker_keeps_one_kernel_of_one_edition(env: Path) -> None:
    release = _release(env, [{**MINI, "regions": ["990200", "990202", "990203"]}, CPI])
    report = build(release, workers=2)
    assert report.failed == [] and len(report.built) == 7
    jobs = json.loads((env / "outputs/2023-11/manifest.json").read_text("utf-8"))["jobs"]
    editions: dict[str, set[str]] = {}
    for meta in jobs.values():
        editions.setdefault(meta["kernel"], set()).add(meta["edition"])
    # two lanes (internal: 4 jobs, public: 3), one worker each: two kernels started, not four
    assert sorted(map(sorted, editions.values())) == [["internal"], ["public"]]


@pytest.mark.slow  # whole builds
def test_a_dead_worker_fails_only_its_job(env: Path) -> None:
    killer = {
        "series": "killer",
        "notebook": f"{FIX}/killer.ipynb",
        "regions": ["990200"],
        "editions": ["public"],
        "formats": ["html"],
    }
    release = _release(env, [killer, MINI])
    report = build(release, workers=2)
    assert [f["job"] for f in report.failed] == ["killer-990200-public"]
    assert "worker failed" in report.failed[0]["error"]
    # the public bulletins queued behind the killer ran on a lane opened after it died
    assert sorted(report.built) == [
        "mini-990200-internal",
        "mini-990200-public",
        "mini-990202-internal",
        "mini-990202-public",
    ]


def _cli(*args: str, env: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "statlib.cli", "build", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={
            **os.environ,
            "STATLIB_DB": os.environ["STATLIB_DB"],
            "STATLIB_OUTPUTS": str(env / "outputs"),
            "STATLIB_WORK": str(env / "work"),
        },
    )


@pytest.mark.slow
def test_cli_progress_json_and_failures(env: Path) -> None:
    broken = {
        "series": "broken",
        "notebook": f"{FIX}/broken.ipynb",
        "regions": ["990200"],
        "editions": ["internal"],
        "formats": ["html"],
    }
    release = _release(env, [MINI, broken])
    out = _cli("--params", str(release), "-j", "2", env=env)
    assert out.returncode == 6
    lines = out.stdout.splitlines()
    assert lines[0] == "5 jobs: 0 cached, 5 to run"
    for job in (
        "mini-990200-internal",
        "mini-990200-public",
        "mini-990202-internal",
        "mini-990202-public",
    ):  # one line per job as it finishes
        assert any(line.split()[:2] == ["ok", job] for line in lines), job
    assert any(line.split()[:2] == ["FAILED", "broken-990200-internal"] for line in lines)
    assert lines[-1].startswith("2023-11: 4 built, 0 cached, 1 failed in ")
    assert "FAILED broken-990200-internal: cell 4: ValueError: planted failure in 990200" in (
        out.stderr
    )
    assert "executed notebook kept in " + str(env / "work") in out.stderr
    again = _cli("--params", str(release), "--json", env=env)
    summary = json.loads(again.stdout)
    assert again.returncode == 6 and (summary["built"], summary["cached"]) == (0, 4)
    assert [f["job"] for f in summary["failed"]] == ["broken-990200-internal"]
    assert summary["failed"][0]["cell"] == 4 and summary["published"] is True
