"""One build per period at a time; leftovers of dead builds cleaned; prune keeps other periods.

Real builds of the small batch notebooks, real processes holding the lock (R4 concurrency)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from statlib.batch import build
from statlib.batch.publish import publish_release
from statlib.batch.recovery import RunLock
from statlib.errors import LockedError

FIX = "tests/fixtures/batch"
MINI = {
    "series": "mini",
    "notebook": f"{FIX}/mini.ipynb",
    "regions": ["990200"],
    "editions": ["internal", "public"],
    "formats": ["html"],
}
ROOT = Path(__file__).resolve().parents[2]


def _release(tmp: Path, period: str = "2023-11") -> Path:
    path = tmp / f"release-{period}.yaml"
    path.write_text(json.dumps({"period": period, "publications": [MINI]}), encoding="utf-8")
    return path


HOLD = """
import sys, time
from pathlib import Path
from statlib.batch.recovery import RunLock
lock = RunLock(Path(sys.argv[1]), Path(sys.argv[2]), "the build of 2023-11").acquire()
print("held", flush=True)
time.sleep(600)
"""


def _holder(work: Path) -> subprocess.Popen[str]:
    """A real process holding the build lock of 2023-11."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(work), str(work / "2023-11" / "build.lock")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def _cli(*args: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "statlib.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(extra or {})},
        check=False,
    )


@pytest.mark.slow  # whole builds side by side
def test_a_second_build_is_refused_naming_the_holder(env: Path) -> None:
    holder = _holder(env / "work")
    try:
        done = _cli("build", "--params", str(_release(env)), "-j", "1")
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == LockedError.exit_code == 9
    assert "Traceback" not in done.stderr
    assert "the build of 2023-11 is already running" in done.stderr
    assert f"PID {holder.pid} on {socket.gethostname()}" in done.stderr
    assert str(env / "work" / "2023-11" / "build.lock") in done.stderr
    assert not (env / "outputs" / ".releases").exists()  # the loser touched nothing
    # the holder died (SIGKILL): the kernel released the lock, the next build takes it over
    report = build(_release(env), workers=1)
    assert report.failed == [] and report.published
    assert [
        n for n in report.notes if "took over the stale lock" in n and f"PID {holder.pid}" in n
    ] != []
    assert (env / "work" / "2023-11" / "build.lock").read_text() == ""  # released: empty


@pytest.mark.slow  # whole builds side by side
def test_two_builds_at_once_one_runs_the_other_is_told(env: Path) -> None:
    release = _release(env)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "statlib.cli", "build", "--params", str(release), "-j", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(2)
    ]
    outs = [(p.wait(), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in outs)
    assert all("Traceback" not in err for _, _, err in outs), outs
    assert codes in ([0, 0], [0, 9]), outs  # both ran one after the other, or one was told
    for code, _, err in outs:
        if code == 9:
            assert "the build of 2023-11 is already running: PID" in err
    releases = env / "outputs" / ".releases"
    assert [p.name for p in releases.iterdir() if p.name.endswith(".part")] == []
    manifest = json.loads((env / "outputs" / "2023-11" / "manifest.json").read_text())
    assert sorted(manifest["jobs"]) == ["mini-990200-internal", "mini-990200-public"]
    print(
        f"R4: 2 concurrent builds of one period: exit codes {codes}, 0 tracebacks, "
        "0 .part folders left"
    )


@pytest.mark.slow  # whole builds side by side
def test_part_folders_of_dead_builds_are_cleaned(env: Path) -> None:
    outputs = env / "outputs"
    releases = outputs / ".releases"
    releases.mkdir(parents=True)
    dead = [releases / ".2023-11-0123456789.part", releases / ".2023-11-abcdefabcd.part"]
    other = releases / ".2023-0123456789.part"  # a dead build of the annual release: not ours
    for folder in [*dead, other]:
        (folder / "public").mkdir(parents=True)
        (folder / "public" / "x.html").write_text("half", encoding="utf-8")
    report = build(_release(env), workers=1)
    assert report.published and report.failed == []
    assert [p.exists() for p in dead] == [False, False]
    assert other.is_dir()
    assert report.notes == [
        "removed 2 unfinished release folder(s) of a dead build of 2023-11: "
        ".2023-11-0123456789.part, .2023-11-abcdefabcd.part"
    ]


CASES = [  # (period built, releases present before) → releases of other periods that stay
    (
        "2023",
        [
            "2023-11-aaaaaaaaaa",
            "2023-12-bbbbbbbbbb",
            "2023q4-cccccccccc",
            "2023-dddddddddd",
            "2023-eeeeeeeeee",
        ],
        ["2023-11-aaaaaaaaaa", "2023-12-bbbbbbbbbb", "2023q4-cccccccccc"],
    ),
    (
        "2023-11",
        ["2023-11-aaaaaaaaaa", "2023-11-bbbbbbbbbb", "2023-11-x-cccccccccc", "2023-dddddddddd"],
        ["2023-11-x-cccccccccc", "2023-dddddddddd"],
    ),
]


@pytest.mark.parametrize(("period", "present", "stays"), CASES)
def test_prune_removes_only_the_periods_own_releases(
    tmp_path: Path, period: str, present: list[str], stays: list[str]
) -> None:
    outputs = tmp_path / "outputs"
    src = tmp_path / "a.html"
    src.write_text("<p>a</p>", encoding="utf-8")
    for i, name in enumerate(present):
        (outputs / ".releases" / name).mkdir(parents=True)
        os.utime(outputs / ".releases" / name, (time.time() - 100 + i, time.time() - 100 + i))
    final = publish_release(outputs, period, {"public/a.html": src}, {"period": period})
    left = sorted(p.name for p in (outputs / ".releases").iterdir())
    own_before = [n for n in present if n not in stays]
    # the new release and the newest one before it of this period; every other period kept
    assert left == sorted([*stays, final.name, own_before[-1]])


def test_a_lock_held_in_this_process_refuses_a_second_holder(tmp_path: Path) -> None:
    with RunLock(tmp_path, tmp_path / "p" / "build.lock", "the build of p") as first:
        assert first.notes == []
        with pytest.raises(LockedError, match=rf"PID {os.getpid()} on "):
            RunLock(tmp_path, tmp_path / "p" / "build.lock", "the build of p").acquire()
    again = RunLock(tmp_path, tmp_path / "p" / "build.lock", "the build of p").acquire()
    assert again.notes == []  # released cleanly: not stale
    again.release()


def test_a_killed_holder_leaves_a_stale_lock_that_is_taken_over(tmp_path: Path) -> None:
    holder = _holder(tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    record = json.loads((tmp_path / "2023-11" / "build.lock").read_text())
    assert record["pid"] == holder.pid and record["host"] == socket.gethostname()
    lock = RunLock(tmp_path, tmp_path / "2023-11" / "build.lock", "the build of 2023-11")
    with lock:
        assert lock.notes == [
            f"took over the stale lock of the build of 2023-11 (PID "
            f"{holder.pid} on {socket.gethostname()}, started "
            f"{record['started']}: that run died; the kernel released its "
            "lock)"
        ]
