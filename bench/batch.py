"""Benchmark: the full demo release (HTML + PDF) built cold, against the plain way and the floor.

    python bench/batch.py                    # what `statlib build` builds (params/2023.yaml),
                                             # about 7 minutes on 2 cores
    python bench/batch.py --release params/2023-11.yaml   # the monthly release
    python bench/batch.py --smoke            # 2 jobs (the first publication, first region)
    python bench/batch.py --plain-jobs 0     # the plain way on every job, not a sample

Five measurements in one run, on a copy of the release file with ``formats: [html, pdf]`` and
outputs and work folders under bench/_work/batch/ (``STATLIB_OUTPUTS``, ``STATLIB_WORK``), so the
user's ``outputs/`` is never touched (see bench/README.md):

1. statlib cold: fresh folders, ``build(release, workers=os.cpu_count())``;
2. statlib no-op rebuild right after: every job cached; then the same unchanged ``statlib
   build`` as a whole process from shell to prompt, 5 runs (min/median/max), beside
   ``statlib --version`` in the same run;
3. the plain way, one job after another: ``papermill`` CLI (``-r`` for text parameters, so
   ``990200`` stays a string; ``STATLIB_EDITION`` set as the build's kernels have it), then
   ``jupyter nbconvert --to html --sanitize-html``, then headless Chromium ``--print-to-pdf``
   (HTML only, and said so, when Chromium is missing). On a seeded sample of jobs (default 6),
   extrapolated per job to the whole release;
4. the floor: every job's cell time in an already-warm kernel (one per edition, started before
   timing: editions never share a kernel) plus its ``render(..., to=["html", "pdf"])`` time, one
   after another; the target compares with this sum divided by the worker count (the parallel
   floor), the serial sum is printed too;
5. peak RSS of the build: this process and all its children (workers, kernels, pandoc, typst),
   summed every 50 ms by a psutil thread during builds 1 and 2.

Prints the figures, the build's time per phase (kernel start, execute, render, the rest: plan,
checks, publish) and PASS/FAIL per target; exits 1 when a target fails, 2 when a job fails or an
output check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import nbformat
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PeakRss, chromium, load_before, load_line, print_to_pdf, verdict

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(__file__).resolve().parent / "_work" / "batch"
PLAIN_JOBS = 6
SEED = 20231130

# Targets of issue 6, acceptance item 7.
MIN_SPEED_UP = 8.0
MAX_OF_FLOOR = 1.5
MAX_NOOP_S = 1.0
MAX_RSS_BYTES = 2 * 1024**3
MAX_WHOLE_OF_VERSION = 3.0  # issue 17: the whole no-op command against `statlib --version`


# -- the release --------------------------------------------------------------------------------
def release_copy(source: Path, work: Path, *, smoke: bool) -> Path:
    """``source`` with ``formats: [html, pdf]`` everywhere (smoke: the city bulletin only)."""
    release = yaml.safe_load(source.read_text(encoding="utf-8"))
    for pub in release["publications"]:
        pub["formats"] = ["html", "pdf"]
    if smoke:
        first = release["publications"][0]
        first["regions"] = first.get("regions", [])[:1]
        release["publications"] = [first]
    work.mkdir(parents=True, exist_ok=True)
    copy = work / source.name
    copy.write_text(yaml.safe_dump(release, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return copy


# -- 1 and 2. statlib ---------------------------------------------------------------------------
def versions() -> tuple[str, str]:
    """statlib's code and template hashes, part of every cache key."""
    from statlib.batch import cache

    return cache.code_version(), cache.templates_version()


def run_builds(release: Path, workers: int) -> tuple[Any, Any, PeakRss, bool]:
    """Cold build, no-op rebuild, their peak RSS, and whether statlib's code or templates
    changed under the run (other engineers edit the same tree: that invalidates every key)."""
    from statlib.batch import build

    before = versions()
    with PeakRss().watching() as rss:
        cold = build(release, workers=workers)
        between = versions()
        noop = build(release, workers=workers)
    return cold, noop, rss, not (before == between == versions())


def phases(outputs: Path) -> dict[str, float]:
    """Seconds per phase summed over the jobs of the published manifest."""
    manifests = sorted(outputs.glob("*/manifest.json")) or sorted(outputs.rglob("manifest.json"))
    totals: dict[str, float] = {}
    for manifest in manifests[-1:]:
        for entry in json.loads(manifest.read_text(encoding="utf-8"))["jobs"].values():
            for phase, seconds in entry.get("seconds", {}).items():
                totals[phase] = totals.get(phase, 0.0) + seconds
    return totals


# -- 3. the plain way ---------------------------------------------------------------------------
def plain_job(job: Any, out: Path, browser: str | None) -> dict[str, float]:
    """papermill CLI, nbconvert CLI, Chromium: seconds of each for one job."""
    out.mkdir(parents=True, exist_ok=True)
    executed = out / f"{job.series}.ipynb"
    params: list[str] = []
    for name, value in job.parameters.items():
        params += ["-r" if isinstance(value, str) else "-p", name, str(value)]
    env = {**os.environ, "STATLIB_EDITION": job.edition}
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    subprocess.run(
        [
            "papermill",
            str(job.notebook),
            str(executed),
            *params,
            "--cwd",
            str(job.notebook.parent),
            "--no-progress-bar",
            "--log-level",
            "ERROR",
        ],
        capture_output=True,
        timeout=600,
        check=True,
        env=env,
    )
    seconds["papermill"] = time.perf_counter() - start
    start = time.perf_counter()
    subprocess.run(
        ["jupyter", "nbconvert", "--to", "html", "--sanitize-html", str(executed)],
        capture_output=True,
        timeout=300,
        check=True,
    )
    seconds["nbconvert"] = time.perf_counter() - start
    if browser is not None:
        html, pdf = executed.with_suffix(".html"), executed.with_suffix(".pdf")
        start = time.perf_counter()
        print_to_pdf(browser, html, pdf)
        seconds["chromium"] = time.perf_counter() - start
    return seconds


# -- 4. the floor -------------------------------------------------------------------------------
def run_floor(jobs: list[Any], out: Path) -> tuple[float, float]:
    """(cell seconds, render seconds) summed over ``jobs`` in warm kernels."""
    from statlib.batch.kernel import WarmKernel
    from statlib.render import render

    kernels = {
        e: WarmKernel(cwd=jobs[0].notebook.parent, edition=e)
        for e in sorted({j.edition for j in jobs})
    }
    cells = renders = 0.0
    try:
        for kernel in kernels.values():  # one throw-away job each: warm caches, as in a build
            job = next(j for j in jobs if j.edition == kernel.edition)
            kernel.run(job.notebook, job.parameters)
        for job in jobs:
            nb, _reads, seconds = kernels[job.edition].run(job.notebook, job.parameters)
            cells += seconds
            folder = out / job.id
            folder.mkdir(parents=True, exist_ok=True)
            executed = folder / f"{job.series}.ipynb"
            nbformat.write(nb, executed)
            start = time.perf_counter()
            render(executed, to=["html", "pdf"], edition=job.edition, out=folder)
            renders += time.perf_counter() - start
    finally:
        for kernel in kernels.values():
            kernel.shutdown()
    return cells, renders


# -- report -------------------------------------------------------------------------------------
def whole_command(release: Path, runs: int = 5) -> tuple[list[float], list[float]]:
    """Seconds from shell to prompt of an unchanged ``statlib build`` and of ``statlib
    --version``, each run ``runs`` times as whole processes, alternately (the same load)."""
    cli = shutil.which("statlib")
    base = [cli] if cli else [sys.executable, "-m", "statlib.cli"]
    build_s: list[float] = []
    version_s: list[float] = []
    for _ in range(runs):
        for args, out in (
            ([*base, "build", "--params", str(release)], build_s),
            ([*base, "--version"], version_s),
        ):
            started = time.perf_counter()
            subprocess.run(args, check=True, capture_output=True)
            out.append(time.perf_counter() - started)
    return build_s, version_s


def _spread(values: list[float]) -> str:
    return (
        f"min {min(values):.2f} / median {statistics.median(values):.2f} / max {max(values):.2f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--release",
        type=Path,
        default=None,
        help="release file (default: the latest demo release, as statlib build)",
    )
    parser.add_argument(
        "--plain-jobs",
        type=int,
        default=PLAIN_JOBS,
        help="jobs run the plain way, a seeded sample (0: all)",
    )
    parser.add_argument("--smoke", action="store_true", help="2 jobs only")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--keep", action="store_true", help=f"keep the files in {WORK}")
    args = parser.parse_args(argv)
    say = print
    workers = os.cpu_count() or 1

    say(load_before())
    shutil.rmtree(WORK, ignore_errors=True)
    os.environ["STATLIB_OUTPUTS"] = str(WORK / "outputs")
    os.environ["STATLIB_WORK"] = str(WORK / "work")
    from statlib.batch import default_release
    from statlib.batch.jobs import load_release, plan

    args.release = args.release or default_release()
    release = release_copy(args.release, WORK, smoke=args.smoke)
    jobs = plan(load_release(release))
    say(
        f"release {args.release.name} as {release} (formats html, pdf): {len(jobs)} jobs, "
        f"{workers} workers"
    )

    cold, noop, rss, changed = run_builds(release, workers)
    problems = [f"job {f['job']} failed: {f['error'][:300]}" for f in cold.failed]
    say(
        f"statlib cold build: {cold.seconds:.1f} s, {len(cold.built)} built, "
        f"{len(cold.failed)} failed ({load_line()})"
    )
    per_phase = phases(WORK / "outputs")
    if per_phase:
        say(
            "  per phase, summed over jobs (s): "
            + ", ".join(f"{k} {v:.1f}" for k, v in per_phase.items())
        )
    say(
        f"statlib no-op rebuild: {noop.seconds:.3f} s, {len(noop.cached)} cached, "
        f"{len(noop.built)} built ({load_line()})"
    )
    if changed:
        problems.append(
            "statlib's code or templates changed during the builds (an edit in the "
            "shared tree): the no-op rebuild had to rerun; run again"
        )
    elif len(noop.cached) != len(jobs) or noop.built:
        problems.append(f"no-op rebuild: {len(noop.cached)} of {len(jobs)} jobs cached")
    say(
        f"peak RSS of the builds (process tree, {rss.samples} samples): {rss.peak / 1024**3:.2f} GB"
    )
    whole, version = whole_command(release)
    ratio = statistics.median(whole) / statistics.median(version)
    say(
        f"unchanged `statlib build`, shell to prompt, {len(whole)} runs: {_spread(whole)}; "
        f"`statlib --version`: {_spread(version)}; ratio of medians {ratio:.1f}× ({load_line()})"
    )

    browser = chromium()
    if browser is None:
        say(
            "Chromium is not installed: the plain way makes HTML only (no PDF) and is the "
            "faster for it. Install: apt-get update && apt-get install -y "
            "--no-install-recommends chromium"
        )
    sample = (
        jobs
        if args.plain_jobs <= 0 or args.plain_jobs >= len(jobs)
        else sorted(random.Random(args.seed).sample(jobs, args.plain_jobs), key=lambda j: j.id)
    )
    plain: list[dict[str, float]] = []
    for job in sample:
        try:
            plain.append(plain_job(job, WORK / "plain" / job.id, browser))
        except (subprocess.SubprocessError, RuntimeError) as exc:
            problems.append(f"plain way, job {job.id}: {exc}")
    per_job = statistics.fmean(sum(p.values()) for p in plain) if plain else float("nan")
    plain_total = per_job * len(jobs)
    steps = ", ".join(
        f"{k} {statistics.fmean(p[k] for p in plain):.1f} s" for k in (plain[0] if plain else {})
    )
    say(
        f"plain way ({'papermill + nbconvert + Chromium' if browser else 'papermill + nbconvert'}"
        f", one after another) on {len(plain)} of {len(jobs)} jobs: {per_job:.1f} s per job "
        f"({steps}) → {plain_total:.0f} s for the release"
        + (" (extrapolated)" if len(sample) < len(jobs) else "")
        + f" ({load_line()})"
    )

    cells, renders = run_floor(jobs, WORK / "floor")
    serial = cells + renders
    floor = serial / workers
    say(
        f"floor: cells {cells:.1f} s + render {renders:.1f} s = {serial:.1f} s one after another "
        f"in warm kernels; / {workers} workers = {floor:.1f} s ({load_line()})"
    )

    speed_up = plain_total / cold.seconds
    figures = [
        (f"statlib cold build ({len(cold.built)} jobs built)", f"{cold.seconds:8.1f} s", "", None),
        (
            f"plain way, {'extrapolated from ' if len(sample) < len(jobs) else ''}"
            f"{len(plain)} jobs",
            f"{plain_total:8.0f} s",
            "",
            None,
        ),
        (
            "  cold speed-up over the plain way",
            f"{speed_up:8.1f}×",
            f"≥ {MIN_SPEED_UP:.0f}×",
            speed_up >= MIN_SPEED_UP,
        ),
        (f"floor, serial (cells + render, {len(jobs)} jobs)", f"{serial:8.1f} s", "", None),
        (f"floor, parallel (serial / {workers})", f"{floor:8.1f} s", "", None),
        (
            "  cold build / parallel floor",
            f"{cold.seconds / floor:8.2f}×",
            f"≤ {MAX_OF_FLOOR}×",
            cold.seconds / floor <= MAX_OF_FLOOR,
        ),
        (
            f"no-op rebuild ({len(noop.cached)} cached)",
            f"{noop.seconds:8.3f} s",
            f"< {MAX_NOOP_S:.0f} s",
            noop.seconds < MAX_NOOP_S,
        ),
        (
            "unchanged `statlib build`, whole process (median)",
            f"{statistics.median(whole):8.2f} s",
            f"< {MAX_NOOP_S:.0f} s",
            statistics.median(whole) < MAX_NOOP_S,
        ),
        (
            "  / `statlib --version` (medians)",
            f"{ratio:8.1f}×",
            f"≤ {MAX_WHOLE_OF_VERSION:.0f}×",
            ratio <= MAX_WHOLE_OF_VERSION,
        ),
        (
            "peak RSS, build process tree",
            f"{rss.peak / 1024**3:8.2f} GB",
            f"< {MAX_RSS_BYTES / 1024**3:.0f} GB",
            rss.peak < MAX_RSS_BYTES,
        ),
    ]
    code = verdict(
        f"bench/batch.py {date.today()} — {args.release.name} (html, pdf), "
        f"{len(jobs)} jobs, {load_line()} now",
        figures,
        problems,
        say=say,
    )
    if not args.keep:
        shutil.rmtree(WORK, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
