"""Acceptance: a wheel (not editable) → `statlib init P` → `cd P && statlib build` writes only in P.

The venv is fresh (no system site packages): `pip install -c constraints.txt WHEEL` installs
statlib's own dependencies from the package index, as a bureau's machine would, so the test
proves that the wheel declares what it needs and carries its package data. It first asserts
that `import statlib`, run outside the checkout, resolves to the venv's site-packages (the
installed wheel), never to the editable checkout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _files(folder: Path) -> dict[str, float]:
    return {
        str(p): p.stat().st_mtime
        for p in folder.rglob("*")
        if p.is_file() and ".git" not in p.parts and "__pycache__" not in p.parts
    }


@pytest.mark.slow
def test_wheel_init_build_writes_only_in_the_project(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive.stdout, check=True)
    wheels = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), "."],
        cwd=src,
        check=True,
    )
    (wheel,) = wheels.glob("statlib-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py, cli = venv / "bin" / "python", venv / "bin" / "statlib"
    pins = src / "constraints.txt"
    subprocess.run([py, "-m", "pip", "install", "-q", "-c", pins, str(wheel)], check=True)
    listed = subprocess.run(
        [py, "-m", "pip", "list", "--format=json"], capture_output=True, text=True, check=True
    )
    installed = {p["name"].lower().replace("_", "-") for p in json.loads(listed.stdout)}
    assert {"duckdb", "pandas", "papermill", "typst", "pypandoc-binary"} <= installed
    assert not {"jupyterlab", "psycopg", "distributed"} & installed  # extras stay extras
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATLIB_")}
    env["PYTHONPATH"] = ""
    env["HOME"] = str(tmp_path / "home")  # a user's own home: only tool caches may appear there
    env["PATH"] = f"{venv / 'bin'}:{env['PATH']}"
    where = subprocess.run(
        [py, "-c", "import statlib; print(statlib.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where.startswith(str(venv)), where  # the wheel, not the checkout

    project = tmp_path / "P"
    subprocess.run([cli, "init", str(project)], cwd=tmp_path, env=env, check=True)
    assert (project / "statlib.yaml").is_file()
    checkout, source = _files(ROOT), _files(src)
    done = subprocess.run(
        [cli, "build"], cwd=project, env=env, capture_output=True, text=True, timeout=3000
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert any((project / "outputs").rglob("*.pdf"))
    assert (project / "data" / "statlib.duckdb").is_file()
    assert _files(src) == source  # the copy the wheel was built from: untouched
    made = ".html .pdf .docx .xlsx .csv .ipynb .duckdb .json".split()
    home = [p for p in _files(tmp_path / "home") if p.endswith(tuple(made)) and "/.cache/" not in p]
    assert not [p for p in home if "/.ipython/" not in p and "/jupyter/" not in p], home
    changed = {p for p, m in _files(ROOT).items() if checkout.get(p) != m}
    assert not {p for p in changed if "/outputs/" in p or p.endswith(".duckdb")}, changed
