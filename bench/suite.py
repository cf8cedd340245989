"""Wall time and peak memory of a test-suite run (issue 13).

Runs a command (by default the README's test command, ``python3 -m pytest``) and samples, every
0.2 s, the resident memory of it and every process below it (kernels, Chromium, workers): the
peak of that sum is what the machine had to hold. Prints both figures and, when ``--limit-min``
and ``--limit-gb`` are given, whether they are within them (exit 1 if not).

    python3 bench/suite.py                     # the default suite
    python3 bench/suite.py -- -m slow          # extra pytest arguments after --
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

import psutil


def _tree_rss(root: psutil.Process) -> int:
    total = 0
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def measure(command: list[str]) -> tuple[int, float, int]:
    """Return (exit code, seconds, peak bytes of the process tree)."""
    start = time.monotonic()
    proc = subprocess.Popen(command, start_new_session=True)
    root = psutil.Process(proc.pid)
    peak = 0
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop the suite with this run
    try:
        while proc.poll() is None:
            peak = max(peak, _tree_rss(root))
            time.sleep(0.2)
    finally:
        if proc.poll() is None:  # interrupted: the suite and its kernels go too
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode, time.monotonic() - start, peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-min", type=float, default=None)
    parser.add_argument("--limit-gb", type=float, default=None)
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args(argv)
    command = [sys.executable, "-m", "pytest", *args.pytest_args]
    code, seconds, peak = measure(command)
    gb = peak / 2**30
    print(f"suite: {' '.join(command[1:])}")
    print(f"  exit {code}, {seconds / 60:.1f} min wall, peak {gb:.2f} GB (process tree RSS)")
    print(f"  cores: {psutil.cpu_count()}")
    ok = code == 0
    if args.limit_min is not None:
        within = seconds / 60 <= args.limit_min
        print(f"  time  ≤ {args.limit_min} min: {'PASS' if within else 'FAIL'}")
        ok = ok and within
    if args.limit_gb is not None:
        within = gb <= args.limit_gb
        print(f"  memory ≤ {args.limit_gb} GB: {'PASS' if within else 'FAIL'}")
        ok = ok and within
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
