"""Execute and render jobs: in local process pools (default) or on a Dask cluster.

A Dask cluster's workers must see the project folder (the same machine, or a shared file
system): they read the notebooks and the database and write into the staging folder. Each job
carries the build's project root and its ``STATLIB_*`` settings (:func:`run_job_in`), so a
worker started in another folder (``dask worker tcp://…``) runs it in the build's project.

Each worker process keeps one warm kernel (``kernel.WarmKernel``) and runs jobs one at a time:
execute with the job's parameters, write the job's 第X期 and date into the executed notebook's
front matter, render into the job's staging folder, hash the files. A job
that fails leaves its executed notebook in the work folder (outside ``outputs/``) and nothing
else. Public and internal editions never share a kernel.

Locally, jobs run in *lanes*: a lane is a process pool for one edition whose workers start
their kernel when the pool starts, ahead of the first job, and keep it to the end. The workers
are shared out among the editions in proportion to their jobs, so no worker switches edition
(a kernel start, 2–3 s, on the critical path each time); a worker freed when its edition
runs out of jobs opens a lane for an edition still waiting, or helps one with at least two
jobs queued. A worker that dies fails the jobs it held, not its lane's queue.

Workers and kernels die with the build (``_lifeline``): killed by SIGKILL, the build leaves no
process holding the database. SIGTERM or SIGINT (Ctrl-C) of a running build stops its workers,
which kill their kernels first, and ends the build with ``BuildInterrupted`` (nothing published).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from statlib import config
from statlib.batch._lifeline import die_with_parent
from statlib.batch.jobs import RASTER, Job
from statlib.batch.kernel import WarmKernel
from statlib.errors import BuildInterrupted, ConfigError, ExecutionError
from statlib.fsio import inside, slug
from statlib.render.frontmatter import stamp_notebook

__all__ = ["JobResult", "execute_jobs", "lane_sizes", "project_env", "run_job", "run_job_in"]

STOP_GRACE = 10.0  # seconds a stopped worker has to kill its kernel and exit, then SIGKILL


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
    notebook: str = ""  # the executed notebook (staged, never published)
    worker: str = ""
    kernel: str = ""  # the kernel that executed the job (worker and kernel process ids)


# One warm kernel per worker, for one edition at a time: a public job never runs in a kernel
# where an internal one ran (each kernel is its own process, its store set to its edition).
# A lane's workers never switch; a Dask worker switches when its next job is of another edition.
_KERNELS: dict[str, WarmKernel] = {}
_WARMED: list[float] = []  # seconds the lane's initializer spent starting the kernel


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
        result.seconds["kernel"] = time.perf_counter() - started + sum(_WARMED)
        _WARMED.clear()  # the start ahead counts once, with the worker's first job
        result.kernel = f"{worker}:{kernel.pid}"
        raster = not RASTER.isdisjoint(job.formats)
        nb, reads, seconds = kernel.run(
            job.notebook, job.parameters, timeout=timeout, raster=raster
        )
        result.seconds["execute"] = seconds
        result.reads = reads
        if job.masthead:  # 第X期 and the date from the registry (batch.jobs.number)
            stamp_notebook(nb, job.masthead, job.notebook.name)
        nbformat.write(nb, executed)
        result.notebook = str(executed)
        t = time.perf_counter()
        made = render(
            executed, to=list(job.formats), edition=job.edition, out=job_stage / "out", scan=False
        )  # the release gate scans every public byte
        result.seconds["render"] = time.perf_counter() - t
        for _fmt, path in sorted(made.items()):
            rel = f"{job.folder}/{Path(path).name}"
            result.files[rel] = str(path)
        result.ok = True
    except ExecutionError as exc:
        result.cell, result.error = exc.cell, f"{exc.ename}: {exc.evalue}"
        if exc.executed is not None:
            nbformat.write(exc.executed, executed)
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


def execute_jobs(
    jobs: Sequence[Job],
    stage: Path,
    failed: Path,
    *,
    workers: int,
    cluster: str | None = None,
    timeout: float = 300,
    on_done: Callable[[Job, JobResult], None] | None = None,
) -> list[JobResult]:
    """Run ``jobs`` and return their results in the jobs' order."""
    if not jobs:
        return []
    args = (str(stage), str(failed), timeout)
    ordered = sorted(jobs, key=lambda j: (j.edition, j.series, j.region or ""))
    results: dict[str, JobResult] = {}
    with (
        _interruptible(),
        contextlib.closing(
            _on_dask(ordered, cluster, args) if cluster else _on_pool(ordered, workers, args)
        ) as finished,
    ):  # closed on any error: the workers are stopped, not waited for
        for job, result in finished:
            results[job.id] = result
            if on_done is not None:
                on_done(job, result)
    return [results[j.id] for j in jobs]


@contextlib.contextmanager
def _interruptible() -> Iterator[None]:
    """SIGTERM and SIGINT raise BuildInterrupted in the build while its jobs run (the lanes
    then stop their workers); outside, and in a thread other than the main one, nothing
    changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupted(signum: int, _frame: object) -> None:
        raise BuildInterrupted(signum)

    previous = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def lane_sizes(counts: dict[str, int], workers: int) -> dict[str, int]:
    """Workers per edition at the start, from the jobs per edition: in proportion (D'Hondt; a
    tie goes to the edition with fewer workers, then more jobs), never more workers than jobs;
    0 = the edition waits for a worker to come free."""
    sizes = {edition: 0 for edition in counts}
    for _ in range(min(workers, sum(counts.values()))):
        edition = max(
            (e for e in counts if sizes[e] < counts[e]),
            key=lambda e: (counts[e] / (sizes[e] + 1), -sizes[e], counts[e]),
        )
        sizes[edition] += 1
    return sizes


@dataclass(eq=False)
class _Lane:
    """A process pool for one edition; its workers start their kernels with the pool."""

    edition: str
    size: int
    pool: ProcessPoolExecutor
    running: dict[Future[JobResult], Job] = field(default_factory=dict)
    broken: bool = False


class _Lanes:
    """Jobs queued by edition, fed to the lanes of their edition; lanes opened and closed as
    workers come free (see the module docstring)."""

    def __init__(self, jobs: Sequence[Job], workers: int, args: tuple) -> None:
        self.queues: dict[str, deque[Job]] = {}
        for job in jobs:
            self.queues.setdefault(job.edition, deque()).append(job)
        self.workers, self.args = max(1, workers), args
        self.lanes: list[_Lane] = []
        self.closed: list[_Lane] = []

    def run(self) -> Iterator[tuple[Job, JobResult]]:
        aborted = True  # until the last job is done: an error or a signal stops the workers
        try:
            counts = {e: len(q) for e, q in self.queues.items()}
            for edition, size in lane_sizes(counts, self.workers).items():
                if size:
                    self._open(edition, size)
            while self.lanes:
                self._feed()
                running = {f: lane for lane in self.lanes for f in lane.running}
                if running:
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        job = running[future].running.pop(future)
                        yield job, _result_of(job, future)
                self._close_idle()
                self._open_free()
            aborted = False
        finally:
            lanes = self.lanes + self.closed
            if aborted:
                _stop([p for lane in lanes for p in list((lane.pool._processes or {}).values())])
            for lane in lanes:
                lane.pool.shutdown(wait=not aborted, cancel_futures=True)

    def _open(self, edition: str, size: int) -> None:
        cwd = str(self.queues[edition][0].notebook.parent)
        # spawned, never forked: a fork copies a parent's threads' locks without the threads
        # (measured: Typst's compiler, already used in the parent, hung in every forked worker)
        # the workers are started by this thread (on submit): their parent-death signal is
        # tied to it, so it is set only when this is the main thread (see _lifeline)
        main = threading.current_thread() is threading.main_thread()
        pool = ProcessPoolExecutor(
            max_workers=size,
            initializer=_worker_init,
            initargs=(edition, cwd, os.getpid(), main),
            mp_context=multiprocessing.get_context("spawn"),
        )
        self.lanes.append(_Lane(edition, size, pool))

    def _feed(self) -> None:
        for lane in self.lanes:
            queue = self.queues[lane.edition]
            while not lane.broken and queue and len(lane.running) < lane.size:
                job = queue.popleft()
                try:
                    lane.running[lane.pool.submit(run_job, job, *self.args)] = job
                except BrokenProcessPool:  # a worker died: requeue, a new lane takes over
                    queue.appendleft(job)
                    lane.broken = True

    def _close_idle(self) -> None:
        for lane in list(self.lanes):
            idle = not self.queues[lane.edition] or lane.broken
            if idle and not lane.running:
                self.lanes.remove(lane)
                lane.pool.shutdown(wait=False)
                self.closed.append(lane)

    def _open_free(self) -> None:
        """Give free workers to editions waiting: one without a lane first, then one with at
        least two jobs queued (worth a kernel start)."""
        used = sum(
            len(lane.running) if lane.broken or not self.queues[lane.edition] else lane.size
            for lane in self.lanes
        )
        free = self.workers - used
        waiting = sorted(
            (e for e, q in self.queues.items() if q),
            key=lambda e: (self._served(e), -len(self.queues[e])),
        )
        for edition in waiting:
            queued = len(self.queues[edition])
            size = min(free, queued - 1 if self._served(edition) else queued)
            if size >= 1:
                self._open(edition, size)
                free -= size

    def _served(self, edition: str) -> bool:
        return any(not lane.broken and lane.edition == edition for lane in self.lanes)


_Finished = Generator[tuple[Job, JobResult], None, None]  # closed to stop the workers


def _on_pool(jobs: Sequence[Job], workers: int, args: tuple) -> _Finished:
    yield from _Lanes(jobs, workers, args).run()


def _stop(processes: Sequence[multiprocessing.process.BaseProcess]) -> None:
    """Stop workers now: SIGTERM (each kills its kernel and exits), SIGKILL after STOP_GRACE."""
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.terminate()
    deadline = time.monotonic() + STOP_GRACE
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1)


def _on_signal(signum: int, _frame: object) -> None:
    """A worker told to stop kills its kernel (never left holding the database), then exits."""
    for kernel in list(_KERNELS.values()):
        kernel.kill()
    os._exit(128 + signum)


def _worker_init(edition: str, cwd: str, parent: int, main: bool) -> None:
    from multiprocessing import util

    die_with_parent(parent, pdeathsig=main)  # even a SIGKILL of the build ends this worker
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)  # Ctrl-C reaches the whole foreground group
    # pool workers leave through os._exit, which skips atexit; multiprocessing's finalizers run
    util.Finalize(None, _shutdown_kernel, exitpriority=10)
    started = time.perf_counter()
    try:  # the kernel starts with the pool, ahead of the first job
        _kernel(edition, Path(cwd))
    except Exception:  # the first job starts it again and reports the error
        return
    _WARMED.append(time.perf_counter() - started)


def _result_of(job: Job, future: Future[JobResult]) -> JobResult:
    try:
        return future.result()
    except Exception as exc:  # the worker process died
        return JobResult(job.id, ok=False, error=f"worker failed: {type(exc).__name__}: {exc}")


def project_env() -> dict[str, str]:
    """The build's project root and ``STATLIB_*`` settings, for a worker that may have been
    started anywhere."""
    env = {k: v for k, v in os.environ.items() if k.startswith("STATLIB_")}
    env["STATLIB_PROJECT"] = str(config.project_root())
    return env


def run_job_in(env: dict[str, str], job: Job, *args: Any) -> JobResult:
    """:func:`run_job` in the project and settings ``env`` (:func:`project_env`): a Dask
    worker's kernel started for other settings is stopped first, and a ``STATLIB_*`` setting
    of the worker's own that the build does not have is dropped."""
    stale = [k for k in os.environ if k.startswith("STATLIB_") and k not in env]
    if stale or any(os.environ.get(k) != v for k, v in env.items()):
        _shutdown_kernel()
        for key in stale:
            del os.environ[key]
        os.environ.update(env)
    return run_job(job, *args)


def _on_dask(jobs: Sequence[Job], cluster: str, args: tuple) -> _Finished:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ConfigError(
            f"--cluster {cluster}: running on Dask needs dask.distributed: "
            "pip install 'statlib[dask]'"
        ) from None

    local = None
    if cluster == "local":
        local = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(local)
    else:
        client = Client(cluster)
    env = project_env()
    try:
        futures = {
            client.submit(run_job_in, env, job, *args, key=f"job-{job.id}", pure=False): job
            for job in jobs
        }
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
