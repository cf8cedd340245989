"""Runs that die leave nothing behind: one run per period (or site) at a time, and the
leftovers of a dead run cleaned by the next one.

A :class:`RunLock` is a file (``<work>/<period>/build.lock``, ``<work>/site/publish.lock``)
held with ``fcntl.flock``: the kernel releases it when its process dies, however it dies. While
held it names the holder (PID, host, start time); a second run is refused with
:class:`~statlib.errors.LockedError` naming the holder. A lock file that still names a holder
but can be locked is the lock of a dead run: it is taken over and the run says so.

:func:`crash_point` lets the kill tests stop a real run with SIGKILL at a named moment
(``STATLIB_CRASH_AT=build:switched``); it does nothing otherwise.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from statlib import fsio
from statlib.errors import LockedError

__all__ = ["RunLock", "crash_point"]


def crash_point(name: str) -> None:
    """SIGKILL this process here when ``STATLIB_CRASH_AT`` names this moment (kill tests)."""
    if os.environ.get("STATLIB_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


class RunLock:
    """An exclusive lock of one run: ``with RunLock(root, path, "the build of 2023-11"):``.

    ``notes`` says what was taken over (a stale lock of a dead run)."""

    def __init__(self, root: Path, path: Path, what: str) -> None:
        self.root, self.path, self.what = Path(root), Path(path), what
        self.notes: list[str] = []
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        folder = fsio.mkdir(self.root, self.path.parent)
        path = fsio.real_inside(self.root, folder / self.path.name)
        with fsio.guard(folder):
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd)
            os.close(fd)
            raise LockedError(self._busy(holder)) from None
        holder = _read(fd)
        if holder:
            self.notes.append(
                f"took over the stale lock of {self.what} ({_who(holder)}: that run died; the "
                "kernel released its lock)"
            )
        record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "what": self.what,
        }
        with fsio.guard(folder):
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(record).encode() + b"\n", 0)
            os.fsync(fd)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)  # an empty lock file: nobody holds it
        os.close(self._fd)  # closing the descriptor releases the flock
        self._fd = None

    def _busy(self, holder: dict[str, Any]) -> str:
        alive = ""
        if holder.get("host") == socket.gethostname() and not _alive(int(holder.get("pid", 0))):
            alive = " — that process is gone but a process it started still holds the lock; stop it"
        who = _who(holder) if holder else "another process (starting)"
        return (
            f"{self.what} is already running: {who} holds {self.path}{alive}. Wait for it "
            "to finish and run again."
        )

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _read(fd: int) -> dict[str, Any]:
    try:
        data = os.pread(fd, 4096, 0)
        record = json.loads(data.decode("utf-8")) if data.strip() else {}
    except (OSError, ValueError):
        return {"pid": "?", "host": "?", "started": "?"}
    return record if isinstance(record, dict) else {}


def _who(holder: dict[str, Any]) -> str:
    return (
        f"PID {holder.get('pid', '?')} on {holder.get('host', '?')}, started "
        f"{holder.get('started', '?')}"
    )


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
