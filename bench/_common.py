"""What the benchmarks share: the load line, peak memory, headless Chromium, the figures table."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import psutil

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
]
INSTALL_CHROMIUM = (
    "apt-get update && apt-get install -y --no-install-recommends chromium (Debian; as root)"
)

# (name, figure as printed, target as printed, PASS/FAIL or None for a plain figure)
Figure = tuple[str, str, str, bool | None]


def load_line() -> str:
    """The 1-minute load average and the CPU count, to print beside every figure."""
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def load_before() -> str:
    """The first line of every benchmark: how busy the machine was before the run."""
    return (
        "load average before the run (1, 5, 15 min): "
        + ", ".join(f"{x:.1f}" for x in os.getloadavg())
        + f" on {os.cpu_count()} CPUs — other processes skew every figure"
    )


def chromium() -> str | None:
    """The Chromium binary, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def print_to_pdf(browser: str, html: Path, pdf: Path, *, timeout: float = 120) -> None:
    """Headless Chromium prints ``html`` to ``pdf`` (a fresh, empty profile each time)."""
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-chromium-") as profile:
        subprocess.run(
            [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--print-to-pdf={pdf}",
                html.resolve().as_uri(),
            ],
            capture_output=True,
            timeout=timeout,
            check=True,
        )
    if not pdf.is_file() or not pdf.read_bytes().startswith(b"%PDF"):
        raise RuntimeError(f"Chromium wrote no PDF at {pdf}")


def verdict(
    title: str,
    figures: Sequence[Figure],
    problems: Sequence[str],
    *,
    width: int = 10,
    say: Callable[[str], None] = print,
) -> int:
    """Print ``title`` and the figures with PASS/FAIL; exit code 2 on a failed check, 1 on a
    failed target."""
    say("")
    say(title)
    name_width = max(len(f[0]) for f in figures)
    for name, figure, target, ok in figures:
        mark = "" if ok is None else ("PASS" if ok else "FAIL")
        say(f"{name:<{name_width}}  {figure:>{width}}  {mark:<4}  {target}")
    for problem in problems:
        say(f"CHECK FAILED: {problem}")
    if problems:
        return 2
    return 0 if all(ok for *_, ok in figures if ok is not None) else 1


# -- peak memory --------------------------------------------------------------------------------
class PeakRss:
    """Max over time of the RSS summed over this process and all its descendants."""

    def __init__(self, every: float = 0.05) -> None:
        self.every, self.peak, self.samples = every, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    pass  # ended between the listing and the reading
            self.peak, self.samples = max(self.peak, total), self.samples + 1
            self._stop.wait(self.every)

    @contextmanager
    def watching(self) -> Iterator[PeakRss]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join()
