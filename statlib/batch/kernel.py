"""Warm, isolated Jupyter kernels: started once with statlib imported, reset between jobs.

Kernel start and imports are most of a notebook's cost (DESIGN.md, Execution). A worker starts
one kernel, imports statlib and its heavy dependencies once, then for every job: resets the user
namespace (``%reset -f``), closes figures and restores matplotlib defaults, and clears statlib's
read log — so no variable of one job is visible to the next — then injects the job's parameters
with papermill and executes the cells with nbclient.

A kernel dies with the process that started it, even when that process is killed by SIGKILL:
it is launched through ``_kernel_launch.py``, which sets the parent-death signal before it
executes ipykernel (see ``_lifeline``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from papermill.parameterize import parameterize_notebook

from statlib import config
from statlib.errors import ExecutionError

__all__ = ["WarmKernel"]

LAUNCH = str(Path(__file__).with_name("_kernel_launch.py"))

WARM_UP = (
    "import statlib, statlib.charts, statlib.tables, statlib.periods, statlib.phrase\n"
    "import pandas, numpy, matplotlib\n"
    "from IPython.display import Markdown, display\n"
)
RESET = (
    "get_ipython().run_line_magic('reset', '-f')\n"
    "import matplotlib as _mpl, matplotlib.pyplot as _plt, statlib.store.store as _ss\n"
    "_plt.close('all'); _mpl.rcdefaults(); _ss.reads.clear()\n"
    "del _mpl, _plt, _ss\n"
)


def _raster(on: bool) -> str:
    """Kernel code: charts of the next job with their PNG (``on``) or SVG only."""
    return f"import os as _os; _os.environ['STATLIB_CHART_PNG'] = '{int(on)}'; del _os\n"


READS = "import json as _j, statlib.store.store as _ss; print(_j.dumps(sorted(_ss.reads)))"


class _TiedKernelManager(KernelManager):
    """A kernel manager whose kernels die with the process that started them."""

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        cmd = super().format_kernel_cmd(extra_arguments)
        # the signal fires when the starting *thread* ends: only the main thread lives as long
        # as the process; a kernel started by another thread relies on ipykernel's own poller
        mode = "pdeathsig" if threading.current_thread() is threading.main_thread() else "watch"
        return [sys.executable, LAUNCH, str(os.getpid()), mode, "--", *cmd]


class WarmKernel:
    """One kernel that runs many jobs, one at a time, each in a clean namespace."""

    def __init__(
        self, kernel_name: str = "python3", cwd: Path | None = None, edition: str | None = None
    ) -> None:
        self.kernel_name = kernel_name
        self.cwd = cwd
        self.edition = edition
        self.km: KernelManager | None = None
        self.jobs = 0
        self._start()

    def _start(self) -> None:
        # ipc sockets in a private folder: no TCP port, nothing reachable from another host
        self.km = _TiedKernelManager(
            kernel_name=self.kernel_name,
            transport="ipc",
            ip=str(Path(tempfile.mkdtemp(prefix="statlib-kernel-")) / "k"),
        )
        kw: dict[str, Any] = {"cwd": str(self.cwd)} if self.cwd is not None else {}
        # the kernel sees the same project, whatever its cwd
        kw["env"] = {**os.environ, "STATLIB_PROJECT": str(config.project_root())}
        if self.edition is not None:  # the store in this kernel serves this edition only
            kw["env"]["STATLIB_EDITION"] = self.edition
        self.km.start_kernel(**kw)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)
        self._run(WARM_UP, 120)

    def _run(self, code: str, timeout: float) -> str:
        out: list[str] = []

        def hook(msg: dict) -> None:
            if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
                out.append(msg["content"]["text"])

        reply = self.kc.execute_interactive(
            code, timeout=timeout, output_hook=hook, store_history=False
        )
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"kernel set-up failed: {reply['content'].get('evalue')}")
        return "".join(out)

    def run(
        self,
        notebook: Path,
        parameters: dict[str, Any],
        *,
        timeout: float = 300,
        cwd: Path | None = None,
        raster: bool = True,
    ) -> tuple[nbformat.NotebookNode, list[str], float]:
        """Execute ``notebook`` with ``parameters`` injected; returns (executed notebook,
        indicators read, seconds). Raises ExecutionError naming the notebook and failing cell.
        ``raster`` off: charts show as SVG only (a job whose formats embed no PNG)."""
        if self.km is None or not self.km.is_alive():
            self._start()
        self._run(RESET + _raster(raster), 60)
        nb = nbformat.read(notebook, as_version=4)
        for cell in nb.cells:  # papermill expects every cell to carry a tags list
            cell.metadata.setdefault("tags", [])
        nb.metadata["papermill"] = {}
        nb = parameterize_notebook(nb, parameters, report_mode=False)
        client = NotebookClient(
            nb,
            km=self.km,
            kernel_name=self.kernel_name,
            timeout=timeout,
            allow_errors=False,
            record_timing=False,
            resources={"metadata": {"path": str(cwd or notebook.parent)}},
        )
        client.kc = self.kc
        started = time.perf_counter()
        expired = threading.Event()

        def on_timeout() -> None:  # interrupt the running cell; kill the kernel if that fails
            expired.set()
            if self.km is not None:
                self.km.interrupt_kernel()
                if not self._idle.wait(10):
                    self.km.shutdown_kernel(now=True)

        self._idle = threading.Event()
        watchdog = threading.Timer(timeout, on_timeout)
        watchdog.daemon = True
        watchdog.start()
        try:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
        except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError) as exc:
            self._idle.set()
            cell = _failed_cell(nb)
            if expired.is_set():
                self.restart()
                raise ExecutionError(
                    str(notebook), cell, "Timeout", f"the job exceeded its {timeout:.0f} s", "", nb
                ) from None
            if isinstance(exc, CellExecutionError):
                raise ExecutionError(
                    str(notebook), cell, exc.ename, exc.evalue, str(exc), nb
                ) from None
            self.restart()
            raise ExecutionError(
                str(notebook), cell, type(exc).__name__, str(exc)[:500], "", nb
            ) from None
        finally:
            self._idle.set()
            watchdog.cancel()
        seconds = time.perf_counter() - started
        self.jobs += 1
        reads = json.loads(self._run(READS, 30).strip() or "[]")
        return nb, reads, seconds

    @property
    def pid(self) -> int | None:
        """The kernel's process id (a restart gives a new one)."""
        provisioner = getattr(self.km, "provisioner", None)
        return getattr(provisioner, "pid", None)

    def restart(self) -> None:
        """Replace a hung or dead kernel by a fresh warm one."""
        self.shutdown()
        self._start()

    def kill(self) -> None:
        """Kill the kernel and what it started at once (its session's process group), without
        talking to it: safe in a signal handler, where the manager may be mid-call."""
        pid = self.pid
        if self.km is None or pid is None:
            return
        try:
            os.killpg(pid, signal.SIGKILL)  # jupyter_client starts a kernel in its own session
        except OSError:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.unlink(self.km.connection_file)
        shutil.rmtree(Path(self.km.ip).parent, ignore_errors=True)  # its ipc sockets
        self.km = None

    def shutdown(self) -> None:
        if self.km is not None:
            try:
                self.kc.stop_channels()
                self.km.shutdown_kernel(now=True)
            except Exception:  # a dead kernel may fail to shut down: nothing to keep
                pass
            shutil.rmtree(Path(self.km.ip).parent, ignore_errors=True)  # its ipc sockets
            self.km = None


def _failed_cell(nb: nbformat.NotebookNode) -> int | None:
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return index
    return None
