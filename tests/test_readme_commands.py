"""Every command of README.md's bash blocks runs as written, from a copy of the project.

The commands are read from README.md: a new ``statlib``/``papermill``/``python3`` command is run
by default. Only those in SKIPPED are left out, each with its reason; those in SLOW build a
release and carry the ``slow`` marker. Each must exit 0 and print the words of EXPECTED.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).parents[1]
PROGRAMS = ("statlib", "papermill", "python3")

SKIPPED = {
    "python3 -m pip install -c constraints.txt -e '.[dev]'": "installs the package (done already)",
    "python3 -m pytest": "runs the suite that holds this test",
    "jupyter lab notebooks/bulletin-2023-10.ipynb": "an interactive program",
}
SLOW = {"statlib build"}
EXPECTED = {
    "statlib build": "built",
    "statlib new bulletin --period 2023-10": "created",
    "statlib preview notebooks/bulletin-2023-10.ipynb --pdf -p region 990202": "pdf",
    "statlib preview notebooks/bulletin.ipynb -p region 990202": "bulletin.internal.html",
    "papermill notebooks/bulletin.ipynb /tmp/bulletin-990202.ipynb -p region 990202": "",
}


def readme_commands() -> list[str]:
    """The commands of README.md's bash blocks, in order: comments dropped, ``&&`` split."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            while words:
                cut = words.index("&&") if "&&" in words else len(words)
                found.append(shlex.join(words[:cut]))
                words = words[cut + 1 :]
    return found


COMMANDS = readme_commands()


def test_the_readme_has_the_acceptance_commands() -> None:
    assert "statlib preview notebooks/bulletin.ipynb -p region 990202" in COMMANDS
    assert "papermill notebooks/bulletin.ipynb /tmp/bulletin-990202.ipynb -p region 990202" in (
        COMMANDS
    )
    unknown = [c for c in COMMANDS if c.split()[0] not in (*PROGRAMS, "jupyter")]
    assert not unknown, f"README runs a program this test does not know: {unknown}"
    stale = sorted(set(SKIPPED) - set(COMMANDS))
    assert not stale, f"SKIPPED lists commands README no longer has: {stale}"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> dict[str, str]:
    """A copy of the project (what a user has checked out), its own database and folders."""
    tmp = tmp_path_factory.mktemp("readme")
    copy = tmp / "project"
    copy.mkdir()
    for name in ("data", "notebooks", "templates", "params", "rules"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("*.duckdb*"))
    for name in ("statlib.yaml", "pyproject.toml", "README.md"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, copy / name)
    db = tmp / "statlib.duckdb"
    shutil.copy(demo_db, db)
    env = {
        **os.environ,
        "STATLIB_DB": str(db),
        "STATLIB_OUTPUTS": str(tmp / "outputs"),
        "STATLIB_WORK": str(tmp / "work"),
        "STATLIB_CACHE": str(tmp / "cache"),
    }
    env.pop("STATLIB_PROJECT", None)
    return {"cwd": str(copy), **env}


def _param(command: str) -> object:
    marks = []
    if command in SKIPPED:
        marks.append(pytest.mark.skip(reason=SKIPPED[command]))
    if command in SLOW:
        marks.append(pytest.mark.slow)
    return pytest.param(command, marks=marks, id=command[:60])


@pytest.mark.parametrize("command", [_param(c) for c in COMMANDS])
def test_readme_command_runs(project: dict[str, str], command: str) -> None:
    env = dict(project)
    cwd = env.pop("cwd")
    done = subprocess.run(
        shlex.split(command),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    assert EXPECTED.get(command, "") in done.stdout, done.stdout[-2000:]
    if command.startswith("papermill ") and "-p region 990202" in command:
        out = Path(shlex.split(command)[2])
        if not out.is_absolute():
            out = Path(cwd) / out
        nb = nbformat.read(out, as_version=4)
        text = "".join(
            str(o.get("text", "")) + str(o.get("data", {}).get("text/markdown", ""))
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.get("outputs", [])
        )
        assert "川东区" in text  # the bulletin ran for region 990202
