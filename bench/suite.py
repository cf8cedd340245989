"""Wall time and peak memory of a test-suite run (issue 13).

Runs a command (by default the README's test command, ``python3 -m pytest``) and samples, every
0.5 s, the memory of it and every process below it (kernels, Chromium, workers): the peak of the
proportional set sizes (PSS) is what the machine had to hold; the summed RSS, which counts shared
pages in every process, is printed beside it. Prints both figures and, when ``--limit-min``
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


def _tree(root: psutil.Process) -> list[tuple[int, int, str]]:
    """(rss, pss, command) of ``root`` and every process below it; PSS counts a page shared by
    n processes as 1/n in each (what the machine holds), RSS counts it in each."""
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []
    found = []
    for proc in procs:
        try:
            mem = proc.memory_full_info()
            found.append((mem.rss, mem.pss, " ".join(proc.cmdline())[:90]))
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            pass
    return found


def measure(command: list[str]) -> tuple[int, float, int, int, list[tuple[int, int, str]]]:
    """(exit code, seconds, peak RSS sum, peak PSS sum, the processes at the PSS peak)."""
    start = time.monotonic()
    proc = subprocess.Popen(command, start_new_session=True)
    root = psutil.Process(proc.pid)
    peak_rss = peak_pss = 0
    at_peak: list[tuple[int, int, str]] = []
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop the suite with this run
    try:
        while proc.poll() is None:
            tree = _tree(root)
            peak_rss = max(peak_rss, sum(t[0] for t in tree))
            pss = sum(t[1] for t in tree)
            if pss > peak_pss:
                peak_pss, at_peak = pss, sorted(tree, reverse=True)
            time.sleep(0.5)
    finally:
        if proc.poll() is None:  # interrupted: the suite and its kernels go too
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode, time.monotonic() - start, peak_rss, peak_pss, at_peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-min", type=float, default=None)
    parser.add_argument("--limit-gb", type=float, default=None)
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args(argv)
    command = [sys.executable, "-m", "pytest", *args.pytest_args]
    code, seconds, peak_rss, peak_pss, at_peak = measure(command)
    gb = peak_pss / 2**30
    print(f"suite: {' '.join(command[1:])}")
    print(
        f"  exit {code}, {seconds / 60:.1f} min wall, peak {gb:.2f} GB PSS of the process tree "
        f"({peak_rss / 2**30:.2f} GB RSS summed, shared pages counted in every process)"
    )
    print(f"  cores: {psutil.cpu_count()}; at the peak, {len(at_peak)} processes, the largest:")
    for rss, pss, cmd in at_peak[:6]:
        print(f"    {pss / 2**20:7.0f} MB PSS {rss / 2**20:7.0f} MB RSS  {cmd}")
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
