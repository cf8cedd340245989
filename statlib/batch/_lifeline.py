"""Children that die with their parent, even when the parent is killed by SIGKILL.

A build's pool workers and their kernels hold the database (DuckDB allows one writer or many
readers): a worker left alive by a dead build keeps ``statlib ingest`` out until someone kills
it by hand. So every child of a build ties its life to its parent's:

- on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the child when its parent
  dies. The signal fires when the parent *thread* that started the child exits, so it is only
  set for a child started by its parent's main thread (which lives as long as the process);
- elsewhere, or for a child started by another thread, a daemon thread in the child polls
  ``os.getppid()`` and kills the child when it changes (the parent died, the child was
  re-parented).

Either way the child first checks that its parent is still the one that started it: a parent
that died between the fork and the call would otherwise never be noticed.

This module imports only the standard library: the kernel launcher (``_kernel_launch.py``) runs
it as a plain script, before any package is imported.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

__all__ = ["die_with_parent", "set_pdeathsig"]

PR_SET_PDEATHSIG = 1
POLL = 0.25  # seconds between two looks at the parent, for the watchdog


def set_pdeathsig(sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent dies; False where the
    call does not exist (not Linux, no libc)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _orphaned() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _watch(parent: int) -> None:
    def poll() -> None:
        while os.getppid() == parent:
            time.sleep(POLL)
        _orphaned()

    threading.Thread(target=poll, name="statlib-lifeline", daemon=True).start()


def die_with_parent(parent: int, *, pdeathsig: bool = True) -> str:
    """Make this process die when ``parent`` (the process that started it) dies.

    ``pdeathsig=False`` when the parent started this process from a thread other than its main
    thread (the signal would fire when that thread ends). Returns how: ``"pdeathsig"`` or
    ``"watchdog"``; a process whose parent is already gone is killed at once.
    """
    how = "pdeathsig" if pdeathsig and set_pdeathsig() else "watchdog"
    if os.getppid() != parent:  # the parent died before the lifeline was tied
        _orphaned()
    if how == "watchdog":
        _watch(parent)
    return how
