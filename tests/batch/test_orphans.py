"""A build that dies leaves no process behind (issue 12, item 2).

A real ``statlib build`` (a subprocess, two lanes: an internal and a public worker, each with a
warm kernel) is killed by SIGKILL at several moments of its execution; within a few seconds no
process of that build is left (none of the workers and kernels seen before the kill, none
carrying the build's environment marker), ``statlib ingest`` gets the write lock at once, and
the next build completes and publishes. SIGTERM and SIGINT stop a build with a non-zero exit
and leave nothing either. The lifeline (``statlib.batch._lifeline``) is also tested on plain
processes: the parent-death signal and the watchdog, for a child started by the main thread
and by a thread that ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from statlib import open_store

pytestmark = pytest.mark.slow  # kills real builds and waits for their children

ROOT = Path(__file__).resolve().parents[2]
FIX = "tests/fixtures/batch"
MARK = "STATLIB_ORPHAN_MARK"  # in the build's environment: inherited by workers and kernels
SLEEPY = {
    "series": "sleepy",
    "notebook": f"{FIX}/sleepy.ipynb",
    "regions": ["990200"],
    "editions": ["internal", "public"],
    "formats": ["html"],
}
MINI = {
    "series": "mini",
    "notebook": f"{FIX}/mini.ipynb",
    "regions": ["990200", "990202"],
    "editions": ["internal", "public"],
    "formats": ["html"],
}
JOBS = sorted(
    f"{s}-{r}-{e}"
    for s, regions in (("mini", MINI["regions"]), ("sleepy", ["990200"]))
    for r in regions
    for e in ("internal", "public")
)
LIMIT = 300.0  # seconds a build may take to reach a moment (kernel starts on a loaded machine)
SETTLE = 15.0  # seconds the children of a dead build get to die before they count as orphans


@pytest.fixture()
def project(db_copy: Path, tmp_path: Path) -> Path:
    release = tmp_path / "release.yaml"
    release.write_text(
        json.dumps({"period": "2023-11", "publications": [MINI, SLEEPY]}), encoding="utf-8"
    )
    return tmp_path


def _python_env(**extra: str) -> dict[str, str]:
    # the checkout's statlib, also in kernels started from the fixtures' folder
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, "PYTHONUNBUFFERED": "1", **extra}


def _env(tmp: Path, db: Path, **extra: str) -> dict[str, str]:
    return _python_env(
        STATLIB_DB=str(db),
        STATLIB_OUTPUTS=str(tmp / "outputs"),
        STATLIB_WORK=str(tmp / "work"),
        **extra,
    )


class _Build:
    """``statlib build`` in a subprocess, its output lines collected as they come."""

    def __init__(self, tmp: Path, db: Path, sleep: float, *args: str) -> None:
        self.mark = uuid.uuid4().hex
        env = _env(tmp, db, **{MARK: self.mark, "STATLIB_TEST_SLEEP": str(sleep)})
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "statlib.cli",
                "build",
                "--params",
                str(tmp / "release.yaml"),
                *(args or ("-j", "2")),
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,  # its own process group, as a shell gives a command
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self.errors: list[str] = []
        for stream, into in ((self.proc.stdout, self.lines), (self.proc.stderr, self.errors)):
            threading.Thread(target=self._read, args=(stream, into), daemon=True).start()
        self.seen: dict[int, psutil.Process] = {}

    @staticmethod
    def _read(stream: object, into: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            into.append(line.rstrip("\n"))

    def children(self) -> list[psutil.Process]:
        try:
            found = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        self.seen.update((p.pid, p) for p in found)
        return found

    def kinds(self) -> dict[str, int]:
        counts = {"workers": 0, "kernels": 0}  # pool or Dask workers, kernels
        for child in self.children():
            with contextlib.suppress(psutil.Error):  # ended meanwhile
                line = " ".join(child.cmdline())
                counts["workers"] += "multiprocessing.spawn" in line  # both are spawned
                counts["kernels"] += "ipykernel" in line
        return counts

    def done(self) -> int:
        # a progress bar may share a job's line on stdout: the job is found anywhere in it
        return len({job for line in self.lines for job in re.findall(r"(?<!\S)ok\s+(\S+)", line)})

    def wait_for(self, moment: Callable[[_Build], bool], what: str) -> None:
        deadline = time.monotonic() + LIMIT
        while not moment(self):
            assert self.proc.poll() is None, (what, self.lines, self.errors[-20:])
            assert time.monotonic() < deadline, f"the build never reached: {what}"
            time.sleep(0.1)


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _dies(process: psutil.Process) -> bool:
    deadline = time.monotonic() + SETTLE
    while _alive(process) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not _alive(process)


def _marked(mark: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error):  # ended meanwhile
            if process.environ().get(MARK) == mark and _alive(process):
                found.append(process)
    return found


def _orphans(build: _Build) -> list[str]:
    """The build's processes still alive SETTLE seconds after it died (none expected)."""
    deadline = time.monotonic() + SETTLE
    while True:
        left = {p.pid: p for p in build.seen.values() if _alive(p)}
        left.update((p.pid, p) for p in _marked(build.mark))
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    described = []
    for process in left.values():
        with contextlib.suppress(psutil.Error):  # ended meanwhile
            described.append(f"{process.pid} {' '.join(process.cmdline())[:120]}")
    return described


def _ingest(tmp: Path, db: Path, value: float) -> subprocess.CompletedProcess[str]:
    path = tmp / f"cpi-{value}.csv"
    path.write_text(
        f"indicator,region,period,value\ncpi,990200,2023-11,{value}\n", encoding="utf-8"
    )
    return subprocess.run(
        [sys.executable, "-m", "statlib.cli", "ingest", str(path)],
        cwd=ROOT,
        env=_env(tmp, db),
        capture_output=True,
        text=True,
        timeout=300,
    )


# moments of the execution at which the build is killed
MOMENTS: list[tuple[str, Callable[[_Build], bool]]] = [
    ("both workers started, kernels starting", lambda b: b.kinds()["workers"] >= 2),
    ("both kernels alive", lambda b: b.kinds()["kernels"] >= 2),
    ("first job done, the others executing", lambda b: b.done() >= 1),
    (
        "both lanes in the job that holds the store open",
        lambda b: b.done() >= 4 and b.kinds()["kernels"] >= 2,
    ),
]


def test_sigkill_of_build_leaves_no_process_and_frees_the_store(
    project: Path, db_copy: Path
) -> None:
    kills = 0
    for number, (what, moment) in enumerate(MOMENTS):
        build = _Build(project, db_copy, sleep=120)
        build.wait_for(moment, what)
        assert build.kinds()["workers"] >= 1, what  # the kill is one of a build with children
        build.proc.send_signal(signal.SIGKILL)  # the build only: its children are on their own
        assert build.proc.wait(60) == -signal.SIGKILL
        kills += 1
        assert _orphans(build) == [], what
        value = 100.5 + number / 10
        ingested = _ingest(project, db_copy, value)
        assert ingested.returncode == 0, (what, ingested.stdout, ingested.stderr)
        with open_store(str(db_copy)) as store:
            assert store.value("cpi", "990200", "2023-11") == pytest.approx(value)
    # the next build runs every job and publishes, without a manual step
    final = _Build(project, db_copy, sleep=0)
    assert final.proc.wait(LIMIT) == 0, (final.lines, final.errors[-20:])
    assert "2023-11: 6 built, 0 cached, 0 failed in " in final.lines[-1], final.lines
    manifest = json.loads((project / "outputs/2023-11/manifest.json").read_text("utf-8"))
    assert sorted(manifest["jobs"]) == JOBS
    assert {meta["status"] for meta in manifest["jobs"].values()} == {"built"}
    assert _orphans(final) == []
    print(
        f"\nR4: {kills} kills of statlib build during execution, 0 orphan processes, "
        "next ingest and build succeed"
    )


@pytest.mark.parametrize(
    ("sig", "group", "code"),
    [
        (signal.SIGTERM, False, 143),  # kill PID
        (signal.SIGINT, True, 130),  # Ctrl-C: the terminal signals the whole process group
    ],
)
def test_sigterm_or_sigint_stops_the_build_and_its_children(
    project: Path, db_copy: Path, sig: signal.Signals, group: bool, code: int
) -> None:
    build = _Build(project, db_copy, sleep=120)
    build.wait_for(MOMENTS[-1][1], MOMENTS[-1][0])
    if group:
        os.killpg(build.proc.pid, sig)
    else:
        build.proc.send_signal(sig)
    assert build.proc.wait(60) == code
    assert _orphans(build) == []
    # (the progress bar's carriage returns share the error's line on stderr)
    error = [line[line.index("error:") :] for line in build.errors if "error:" in line]
    assert error == [
        f"error: the build was stopped by {sig.name}: its workers and kernels were "
        "stopped, nothing was published — run statlib build again"
    ]
    assert not (project / "outputs" / "2023-11").exists()
    assert _ingest(project, db_copy, 100.7).returncode == 0


def test_sigkill_of_a_dask_build_leaves_no_process(project: Path, db_copy: Path) -> None:
    """``--cluster local``: the LocalCluster's workers and their kernels die with the build."""
    build = _Build(project, db_copy, 120, "--cluster", "local")
    build.wait_for(lambda b: b.kinds()["kernels"] >= 2, "both Dask workers' kernels alive")
    assert build.kinds()["workers"] >= 2
    build.proc.send_signal(signal.SIGKILL)
    assert build.proc.wait(60) == -signal.SIGKILL
    assert _orphans(build) == []
    assert _ingest(project, db_copy, 100.8).returncode == 0


# A parent process that starts a child tied by die_with_parent, from its main thread or from a
# thread that ends at once; the child prints its pid and how it is tied, then sleeps.
PARENT = textwrap.dedent("""
    import os, subprocess, sys, threading, time
    mode, starter = sys.argv[1], sys.argv[2]
    child = (
        "import os, sys, time; from statlib.batch._lifeline import die_with_parent; "
        f"how = die_with_parent({os.getpid()}, pdeathsig={mode == 'pdeathsig'}); "
        "print(os.getpid(), how, flush=True); time.sleep(120)"
    )
    def start():  # returns once the child is tied (it printed)
        proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
        print(proc.stdout.readline().strip(), flush=True)
    if starter == "main":
        start()
    else:
        thread = threading.Thread(target=start)
        thread.start()
        thread.join()  # the starting thread ends; this process lives on
    time.sleep(120)
""")


@pytest.mark.parametrize(
    ("mode", "starter", "how", "survives_starter"),
    [
        ("pdeathsig", "main", "pdeathsig", True),
        ("watch", "main", "watchdog", True),
        ("watch", "thread", "watchdog", True),
        # why a child started by another thread gets the watchdog: the signal fires when the
        # starting thread ends, while its process still lives
        ("pdeathsig", "thread", "pdeathsig", False),
    ],
)
def test_a_tied_child_dies_with_its_parent_only(
    mode: str, starter: str, how: str, survives_starter: bool
) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, mode, starter],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=_python_env(),
    )
    try:
        assert parent.stdout is not None
        pid, tied = parent.stdout.readline().split()
        child = psutil.Process(int(pid))
        assert tied == how
        time.sleep(1.0)  # the starter thread has ended by now, the parent sleeps
        assert _alive(child) is survives_starter
        parent.kill()
        parent.wait(30)
        assert _dies(child)
    finally:
        parent.kill()
