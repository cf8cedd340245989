"""Start a kernel that dies with the process that started it (see ``_lifeline``).

Run as a script, not as a module of the package, so that nothing of statlib is imported into
the kernel before its warm-up::

    python .../statlib/batch/_kernel_launch.py PARENT_PID pdeathsig|watch -- KERNEL_COMMAND...

With ``pdeathsig`` the parent-death signal is set, then the kernel command is executed in this
process (the signal survives ``execve``). With ``watch`` (the parent started the kernel from a
thread that may end before it) the kernel command runs without the signal: ipykernel itself
polls its parent (``JPY_PARENT_PID``, set by jupyter_client) and exits when it changes.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> None:
    parent, mode, sep, *command = argv
    if sep != "--" or not command or mode not in {"pdeathsig", "watch"}:
        raise SystemExit("usage: _kernel_launch.py PARENT_PID pdeathsig|watch -- COMMAND...")
    # a sibling file: this script's folder is sys.path[0] (mypy sees it as statlib.batch's)
    from _lifeline import set_pdeathsig  # type: ignore[import-not-found]

    if mode == "pdeathsig":
        set_pdeathsig()
    if os.getppid() != int(parent):  # the parent died before the lifeline was tied
        raise SystemExit(1)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
