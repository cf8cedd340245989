"""Execute and render jobs: in a local process pool (default) or on a Dask cluster.

A Dask cluster's workers must see the project folder (the same machine, or a shared file
system): they read the notebooks and the database and write into the staging folder.

Each worker process keeps one warm kernel (``kernel.WarmKernel``) and runs jobs one at a time:
execute with the job's parameters, render into the job's staging folder, hash the files. A job
that fails leaves its executed notebook in the work folder (outside ``outputs/``) and nothing
else. Public and internal editions never share a kernel: a worker switching edition starts a
fresh one.
"""

from __future__ import annotations

import os
import shutil
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from statlib.batch.jobs import Job
from statlib.batch.kernel import JobFailure, WarmKernel
from statlib.batch.safety import inside, slug

__all__ = ["JobResult", "execute_jobs", "run_job"]


@dataclass
class JobResult:
    """What one job produced, or why it failed."""

    job_id: str
    ok: bool
    files: dict[str, str] = field(default_factory=dict)  # release-relative name → staged path
    reads: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    cell: int | None = None
    error: str = ""
    kept: str = ""  # where the failed executed notebook was kept
    worker: str = ""


# One warm kernel per worker, for one edition at a time: a public job never runs in a kernel
# where an internal one ran (each kernel is its own process, its store set to its edition).
# Jobs come ordered by edition, so a worker switches at most once per edition.
_KERNELS: dict[str, WarmKernel] = {}


def _kernel(edition: str, cwd: Path) -> WarmKernel:
    for other in [e for e in _KERNELS if e != edition]:
        _KERNELS.pop(other).shutdown()  # one kernel per worker keeps memory bounded
    if edition not in _KERNELS:
        _KERNELS[edition] = WarmKernel(cwd=cwd, edition=edition)
    return _KERNELS[edition]


def run_job(job: Job, stage: str, failed: str, timeout: float) -> JobResult:
    """Execute and render one job into ``stage/<job.id>/`` (runs in a worker process)."""
    from statlib.render import render

    worker = f"{os.uname().nodename}:{os.getpid()}"
    result = JobResult(job.id, ok=False, worker=worker)
    job_stage = inside(Path(stage), slug(job.id))
    shutil.rmtree(job_stage, ignore_errors=True)
    job_stage.mkdir(parents=True)
    executed = job_stage / f"{slug(job.series)}.ipynb"
    started = time.perf_counter()
    try:
        kernel = _kernel(job.edition, job.notebook.parent)
        result.seconds["kernel"] = time.perf_counter() - started
        nb, reads, seconds = kernel.run(job.notebook, job.parameters, timeout=timeout)
        result.seconds["execute"] = seconds
        result.reads = reads
        nbformat.write(nb, executed)
        t = time.perf_counter()
        made = render(executed, to=list(job.formats), edition=job.edition, out=job_stage / "out")
        result.seconds["render"] = time.perf_counter() - t
        for _fmt, path in sorted(made.items()):
            rel = f"{job.folder}/{Path(path).name}"
            result.files[rel] = str(path)
        result.ok = True
    except JobFailure as exc:
        result.cell, result.error = exc.cell, f"{exc.ename}: {exc.evalue}"
        if exc.notebook is not None:
            nbformat.write(exc.notebook, executed)
        result.kept = _keep(executed, Path(failed), job)
    except Exception as exc:  # a render or set-up error fails this job, not the build
        result.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
        result.kept = _keep(executed, Path(failed), job) if executed.exists() else ""
    result.seconds["total"] = time.perf_counter() - started
    return result


def _keep(executed: Path, failed: Path, job: Job) -> str:
    failed.mkdir(parents=True, exist_ok=True)
    target = inside(failed, f"{slug(job.id)}.ipynb")
    shutil.copy2(executed, target)
    return str(target)


def _shutdown_kernel() -> None:
    while _KERNELS:
        _KERNELS.popitem()[1].shutdown()


def execute_jobs(jobs: Sequence[Job], stage: Path, failed: Path, *, workers: int,
                 cluster: str | None = None, timeout: float = 300,
                 on_done: Callable[[Job, JobResult], None] | None = None) -> list[JobResult]:
    """Run ``jobs`` and return their results in the jobs' order."""
    if not jobs:
        return []
    args = (str(stage), str(failed), timeout)
    ordered = sorted(jobs, key=lambda j: (j.edition, j.series, j.region or ""))
    results: dict[str, JobResult] = {}
    for job, result in (_on_dask(ordered, cluster, args) if cluster else
                        _on_pool(ordered, workers, args)):
        results[job.id] = result
        if on_done is not None:
            on_done(job, result)
    return [results[j.id] for j in jobs]


def _on_pool(jobs: Sequence[Job], workers: int, args: tuple) -> Iterator[tuple[Job, JobResult]]:
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(jobs))),
                             initializer=_worker_init) as pool:
        pending: dict[Future[JobResult], Job] = {
            pool.submit(run_job, job, *args): job for job in jobs}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                job = pending.pop(future)
                yield job, _result_of(job, future)


def _worker_init() -> None:
    from multiprocessing import util

    # pool workers leave through os._exit, which skips atexit; multiprocessing's finalizers run
    util.Finalize(None, _shutdown_kernel, exitpriority=10)


def _result_of(job: Job, future: Future[JobResult]) -> JobResult:
    try:
        return future.result()
    except Exception as exc:  # the worker process died
        return JobResult(job.id, ok=False, error=f"worker failed: {type(exc).__name__}: {exc}")


def _on_dask(jobs: Sequence[Job], cluster: str, args: tuple
             ) -> Iterator[tuple[Job, JobResult]]:
    from dask.distributed import Client, LocalCluster, as_completed

    local = None
    if cluster == "local":
        local = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                             dashboard_address=None)
        client = Client(local)
    else:
        client = Client(cluster)
    try:
        futures = {client.submit(run_job, job, *args, key=f"job-{job.id}", pure=False): job
                   for job in jobs}
        for future in as_completed(futures):
            job = futures[future]
            try:
                yield job, future.result()
            except Exception as exc:
                yield job, JobResult(job.id, ok=False, error=f"{type(exc).__name__}: {exc}")
        client.run(_shutdown_kernel)
    finally:
        client.close()
        if local is not None:
            local.close()


def result_dict(result: JobResult) -> dict[str, Any]:
    return asdict(result)
