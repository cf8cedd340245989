"""``statlib build``: a release planned, cached, executed in parallel, checked, published.

>>> from statlib.batch import build          # doctest: +SKIP
>>> report = build()                         # the latest demo release
>>> report.exit_code, report.summary()       # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import statlib._startup  # noqa: F401  (first: a worker's fast start)
from statlib import __version__, config, fsio, periods
from statlib.batch import cache as cache_mod
from statlib.batch.jobs import Job, load_release, number, plan, release_period
from statlib.batch.publish import (
    check_release_link,
    clean_parts,
    current_release,
    publish_release,
    write_site_index,
)
from statlib.batch.recovery import RunLock, crash_point
from statlib.errors import CheckError, ConfigError, ExecutionError, LeakError
from statlib.fsio import sha256_file, slug

if TYPE_CHECKING:  # what only a run needs is imported when a job is to run (a no-op is fast)
    from statlib.batch.run import JobResult
    from statlib.leaks import Scanned

__all__ = ["BuildReport", "build", "default_release"]


@dataclass
class BuildReport:
    """What a build did: per job built, cached or failed; where the release is."""

    period: str
    release: str | None
    built: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    published: bool = False
    notes: list[str] = field(default_factory=list)  # what was recovered from a dead run

    @property
    def exit_code(self) -> int:
        """0, or ExecutionError's code when a job failed (``statlib.errors.EXIT_CODES``)."""
        return ExecutionError.exit_code if self.failed else 0

    def summary(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "release": self.release,
            "published": self.published,
            "built": len(self.built),
            "cached": len(self.cached),
            "failed": self.failed,
            "seconds": round(self.seconds, 3),
            "notes": self.notes,
        }


def default_release(root: Path | None = None, period: str | periods.Period | None = None) -> Path:
    """The release file of ``period`` in ``params/`` (files are named after their period:
    ``params/2023-11.yaml``), else the one of the latest period there."""
    folder = (root or config.project_root()) / "params"
    if period is not None:
        own = folder / f"{periods.parse(period, where='--period')}.yaml"
        if own.is_file():
            return own
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise ConfigError(f"no release files in {folder} — see params/README.md")

    def period_of(path: Path) -> tuple[int, int]:
        p: periods.Period = load_release(path)["period"]
        return (p.year, p.last_month)

    return max(files, key=period_of)


def build(
    params: Path | str | None = None,
    *,
    period: str | periods.Period | None = None,
    only: Sequence[str] = (),
    workers: int | None = None,
    cluster: str | None = None,
    retry_failed: bool = False,
    timeout: float = 300,
    overrides: Sequence[tuple[str, str, str]] = (),
    rules: Path | None = None,
    on_done: Callable[[Job, JobResult], None] | None = None,
    on_plan: Callable[[list[Job], list[Job]], None] | None = None,
    date: dt.date | None = None,
    parameters: dict[str, Any] | None = None,
    final: frozenset[str] = frozenset(),
) -> BuildReport:
    """Build a release: plan, skip cached jobs, run the rest, publish atomically.

    Every job gets its 第X期 from the registry and its masthead date (``date``, else the
    calendar's; ``batch.jobs.number``) before the cache is asked.

    The validation rules (``rules/``) are confronted with the data of the period while the jobs
    run: a failing blocking rule stops the publication (CheckError, nothing published) unless
    ``overrides`` names it as (rule id, reason, who) — recorded in the manifest. Before the
    release is switched, every public and masked byte is scanned for confidential values
    (LeakError: nothing published). ``parameters`` (``-p``/``-r``/``-f``/``-y``) override a
    parameter in every job that declares it, ``final`` naming those not to be typed
    (``batch.jobs.plan``).
    """
    started = time.perf_counter()
    release_file = Path(params) if params else default_release(period=period)
    release = load_release(release_file)
    planned = plan(release, period=period, only=only, parameters=parameters, final=final)
    jobs = planned
    period = str(release_period(release, period))  # the release's, not a pinned job's
    outputs = config.path("outputs")
    work_root = config.path("work")
    work = work_root / slug(period)
    # a full disk or a read-only folder is said now, not after every job has run
    fsio.preflight(outputs)
    fsio.preflight(work_root)
    lock = RunLock(work_root, work / "build.lock", f"the build of {period}").acquire()
    try:
        planned = jobs = number(planned, date=date)
        notes = list(lock.notes)
        removed = clean_parts(outputs, period)
        # the folders and names the release is written to, checked before any job runs: a
        # planted link there is refused now, not after the jobs (statlib.fsio)
        fsio.mkdir(outputs, outputs / ".releases")
        check_release_link(outputs, period)
        fsio.real_inside(work_root, work / "last-build.json")
        for folder in (work / "failed", work / "cache"):  # the workers write in them too
            fsio.mkdir(work_root, folder)
            for entry in sorted(folder.iterdir()):
                fsio.real_inside(work_root, entry)  # a planted link is refused
        fsio.real_inside(outputs, outputs / "index.html")
        if removed:
            notes.append(
                f"removed {len(removed)} unfinished release folder(s) of a dead build "
                f"of {period}: {', '.join(removed)}"
            )
        report = _build_locked(
            release_file,
            planned,
            jobs,
            period,
            outputs,
            work_root,
            work,
            retry_failed=retry_failed,
            workers=workers,
            cluster=cluster,
            timeout=timeout,
            overrides=overrides,
            rules=rules,
            on_done=on_done,
            on_plan=on_plan,
            started=started,
        )
        report.notes[:0] = notes
        return report
    finally:
        lock.release()


def _build_locked(
    release_file: Path,
    planned: list[Job],
    jobs: list[Job],
    period: str,
    outputs: Path,
    work_root: Path,
    work: Path,
    *,
    retry_failed: bool,
    workers: int | None,
    cluster: str | None,
    timeout: float,
    overrides: Sequence[tuple[str, str, str]],
    rules: Path | None,
    on_done: Callable[[Job, JobResult], None] | None,
    on_plan: Callable[[list[Job], list[Job]], None] | None,
    started: float,
) -> BuildReport:
    """The build proper, run while the period's lock is held."""
    from statlib.store import open_store

    cache = cache_mod.Cache(work / "cache", root=work_root)
    last_path = work / "last-build.json"
    if retry_failed:
        last = json.loads(last_path.read_text(encoding="utf-8")) if last_path.is_file() else {}
        failed_ids = {f["job"] for f in last.get("failed", [])}
        jobs = [j for j in jobs if j.id in failed_ids]
    code, templates = cache_mod.code_version(), cache_mod.templates_version()
    engines = cache_mod.engine_versions()
    drift = cache_mod.engine_drift(engines, config.project_root() / "constraints.txt")
    if drift:  # once per build: the renderings will differ from a machine with the pins
        warnings.warn(
            "the rendering engines differ from constraints.txt (" + "; ".join(drift) + "): "
            "run python3 -m pip install -c constraints.txt -e '.[dev]'",
            stacklevel=2,
        )
    with open_store() as store:
        versions = cache_mod.data_versions(store)
        data_vintage = store.latest_vintage()
    previous = current_release(outputs, period)
    old_manifest = _manifest(previous)
    keys = {
        j.id: cache_mod.static_key(
            j.notebook,
            {"parameters": j.parameters, "masthead": j.masthead} if j.masthead else j.parameters,
            j.formats,
            code,
            templates,
            engines,
        )
        for j in jobs
    }
    hits: dict[str, dict[str, Any]] = {}
    for job in jobs:
        record = cache.hit(job.id, keys[job.id], versions)
        if record is not None and previous is not None and _files_intact(previous, record):
            hits[job.id] = record
    todo = [j for j in jobs if j.id not in hits]
    if on_plan is not None:
        on_plan(jobs, todo)
    report = BuildReport(period, str(previous) if previous else None, cached=sorted(hits))
    if not todo and previous is not None and not retry_failed:
        report.seconds = time.perf_counter() - started
        return report  # up to date: nothing to run, nothing to publish
    from statlib.batch.run import execute_jobs
    from statlib.leaks import Scanned, secrets_from_store

    # The validation rules run beside the jobs and gate the publication, not the execution;
    # each job's public files are scanned for leaks as it finishes, beside the jobs still
    # running, so the scan of the whole release before the switch reads only what is new.
    with open_store(edition="internal") as store:
        scanned = Scanned(secrets_from_store(store, period))
    sources: list[Future[list[Any]]] = []
    with ThreadPoolExecutor(max_workers=2, initializer=_yield_cpu) as beside:
        check = beside.submit(_check, period, overrides, rules)

        def done(job: Job, result: JobResult) -> None:
            if result.ok and job.edition != "internal":
                for path in result.files.values():
                    beside.submit(scanned.scan, Path(path))
                # the executed notebook is where every rendered byte comes from, pixels of a
                # chart included: a confidential figure in its code or outputs stops the release
                if result.notebook:
                    sources.append(beside.submit(scanned.scan, Path(result.notebook)))
            if on_done is not None:
                on_done(job, result)

        stage = work / "stage"
        fsio.remove_tree(work_root, stage)
        fsio.mkdir(work_root, stage)
        results = execute_jobs(
            todo,
            stage,
            work / "failed",
            workers=workers or os.cpu_count() or 1,
            cluster=cluster,
            timeout=timeout,
            on_done=done,
        )
        checked = check.result()  # CheckError here: nothing is published
        leaked = [hit for future in sources for hit in future.result()]
    crash_point("build:rendered")
    if leaked:  # nothing is published
        raise LeakError(f"the executed public notebooks of {period}", leaked)
    files: dict[str, Path] = {}
    jobs_meta: dict[str, Any] = {}
    planned_ids = {j.id for j in planned}
    for job_id, entry in (old_manifest.get("jobs") or {}).items():
        if job_id in planned_ids and previous is not None:  # carried over unless rebuilt below
            for rel in entry.get("files", []):
                files[rel] = previous / rel
            jobs_meta[job_id] = {**entry, "status": "previous"}
    for job in jobs:
        if job.id in hits:
            jobs_meta[job.id] = {**jobs_meta.get(job.id, {}), "status": "cached"}
    for job, result in zip(todo, results, strict=True):
        if result.ok:
            report.built.append(job.id)
            for rel in list(jobs_meta.get(job.id, {}).get("files", [])):
                files.pop(rel, None)
            for rel, path in result.files.items():
                files[rel] = Path(path)
            jobs_meta[job.id] = {
                "series": job.series,
                "region": job.region,
                "edition": job.edition,
                "parameters": job.parameters,
                "masthead": job.masthead,
                "files": sorted(result.files),
                "reads": {c: versions.get(c, 0) for c in result.reads},
                "seconds": {k: round(v, 3) for k, v in result.seconds.items()},
                "kernel": result.kernel,
                "status": "built",
            }
        else:
            report.failed.append(
                {
                    "job": job.id,
                    "cell": result.cell,
                    "error": result.error.strip(),
                    "notebook": result.kept,
                }
            )
    manifest = {
        "period": period,
        "release_file": release_file.name,
        "statlib_version": __version__,
        "code_version": code,
        "templates_version": templates,
        "engines": engines,
        "data_vintage": data_vintage,
        "jobs": jobs_meta,
        "checks": checked,
    }
    if files:
        final = publish_release(
            outputs, period, files, manifest, verify=lambda folder: _leak_scan(folder, scanned)
        )
        report.release, report.published = str(final), True
        for job in todo:
            meta = jobs_meta.get(job.id, {})
            if meta.get("status") == "built":
                cache.put(
                    job.id,
                    {
                        "key": keys[job.id],
                        "reads": meta["reads"],
                        "files": {rel: sha256_file(final / rel) for rel in meta["files"]},
                    },
                )
        write_site_index(outputs)
    fsio.write_text(
        work_root, last_path, json.dumps(report.summary(), ensure_ascii=False, indent=2)
    )
    fsio.remove_tree(work_root, stage)
    report.seconds = time.perf_counter() - started
    return report


def _yield_cpu() -> None:
    """A thread beside the jobs (rules, leak scan) gives way to the workers: on Linux a thread
    has its own nice value, inherited by the threads and processes it starts."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def _check(
    period: str, overrides: Sequence[tuple[str, str, str]], rules: Path | None
) -> dict[str, Any]:
    """Confront the validation rules; raise CheckError on a blocking failure not overridden."""
    from statlib.checks import confront, load_rules, override
    from statlib.store import open_store

    folder = rules or config.project_root() / "rules"
    if not folder.is_dir():
        return {"rules": None}
    with open_store(edition="internal") as store:
        report = confront(store, load_rules(folder), period)
    for rule_id, reason, who in overrides:
        report = override(report, rule_id, reason, who)
    blocking = report.blocking_failures()
    if blocking:
        raise CheckError(
            f"{len(blocking)} blocking validation rule(s) fail for {period}; nothing was built.\n"
            + report.summary_text(max_records=5)
            + "\ncorrect the data, or override a rule with a reason: "
            "statlib build --override RULE_ID='reason' --who NAME"
        )
    return {
        "rules": str(folder.name),
        "counts": report.counts().to_dict("records"),
        "overrides": [{"rule": r, "reason": why, "who": who} for r, why, who in overrides],
    }


def _leak_scan(folder: Path, scanned: Scanned) -> None:
    """No public or masked byte may hold a confidential value (LeakError otherwise)."""
    from statlib.leaks import assert_clean
    from statlib.store import open_store

    with open_store(edition="internal") as store:
        # The release manifest is written by statlib from job metadata (names, sha256, sizes,
        # timings): its numbers are not data, and a timing such as 29.38 s must not read as a
        # confidential 29.38 亿元. Every published file is scanned.
        assert_clean(folder, store, manifest=False, scanned=scanned)


def _manifest(release: Path | None) -> dict[str, Any]:
    if release is None or not (release / "manifest.json").is_file():
        return {}
    return json.loads((release / "manifest.json").read_text(encoding="utf-8"))


def _files_intact(release: Path, record: dict[str, Any]) -> bool:
    """The cached job's files are in the current release, unchanged (size checked, cheap)."""
    manifest = _manifest(release).get("files", {})
    for rel, digest in record.get("files", {}).items():
        entry = manifest.get(rel)
        if entry is None or entry["sha256"] != digest or not (release / rel).is_file():
            return False
        if (release / rel).stat().st_size != entry["bytes"]:
            return False
    return bool(record.get("files"))
