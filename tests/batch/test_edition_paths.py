"""The edition contract on every path a user takes (statlib.editions; issue 11, TRUST.md S3).

The county chapter of the yearbook (表7-2 prints 黑河旗's 规上工业增加值, unsafe by the
dominance rule) and the bulletin of 黑河旗 are run as public through each path a user has —
``statlib build``, ``statlib preview``, the papermill CLI then ``statlib render``, and a kernel of
a running Jupyter server driven through its REST and websocket API — and every file each path
writes is scanned for every confidential and unsafe value of the store, in every spelling the
leak scan knows. ``statlib render --edition public`` of an internal run must refuse.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from statlib.disclosure.public import unsafe_observations
from statlib.leaks import Secret, scan, secrets_from_store
from statlib.store import open_store

pytestmark = pytest.mark.slow  # the notebooks run on four paths, a Jupyter server among them

ROOT = Path(__file__).resolve().parents[2]
COUNTIES = ROOT / "notebooks" / "yearbook" / "07_counties.ipynb"
BULLETIN = ROOT / "notebooks" / "bulletin.ipynb"
COUNTY = "990208"  # 黑河旗: its 规上工业增加值 is dominated by one enterprise
RUNS = {  # notebook, parameters of the public run (besides edition)
    "counties": (COUNTIES, {"year": 2023}),
    "bulletin": (BULLETIN, {"period": "2023-11", "region": COUNTY}),
}
FIGURES: dict[str, int] = {}


@pytest.fixture(scope="module")
def env(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    work = tmp_path_factory.mktemp("paths")
    db = work / "statlib.duckdb"  # a build registers its issues: never in the shared demo_db
    shutil.copy(demo_db, db)
    return {
        **os.environ,
        "STATLIB_DB": str(db),
        "STATLIB_OUTPUTS": str(work / "outputs"),
        "STATLIB_WORK": str(work / "work"),
        "PYTHONHASHSEED": "0",
    }


@pytest.fixture(scope="module")
def secrets(demo_db: Path) -> list[Secret]:
    """The store's confidential (C) and rule-unsafe figures of the years these publications
    cover (2022–2023: the period and the year before), at their published precision, and the
    unit data. Older figures are left out: four-digit figures of ten years match published
    ones by chance (15.19, a 2018 value, is also 2023's increase of a county's deposits)."""
    with open_store(str(demo_db), edition="internal") as store:
        found = secrets_from_store(store, "2023-12")
        frame = store.backend.query(
            "SELECT * FROM observation WHERE value IS NOT NULL AND period >= '2022'"
        )
        unsafe = frame[unsafe_observations(frame).to_numpy()]
        for row in unsafe.itertuples(index=False):
            places = int(store.indicator(row.indicator).decimals)
            text = f"{float(row.value):.{places}f}"
            found.append(
                Secret(text, f"unsafe {row.indicator}/{row.region}/{row.period}", "observation")
            )
    assert any(s.label.startswith("unsafe ind_va/990208/2023") for s in found)
    return found


def _run(
    args: list[str], env: dict[str, str], cwd: Path = ROOT, check: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return done


def _statlib(
    *args: str, env: dict[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-m", "statlib.cli", *args], env, check=check)


def _papermill(nb: Path, out: Path, parameters: dict[str, object], env: dict[str, str]) -> None:
    args = [
        sys.executable,
        "-m",
        "papermill",
        str(nb),
        str(out),
        "--cwd",
        str(nb.parent),
        "--no-progress-bar",
    ]
    for name, value in parameters.items():
        args += ["-p", name, str(value)]
    _run(args, env)


def _render(executed: Path, out: Path, env: dict[str, str]) -> list[Path]:
    _statlib(
        "render",
        str(executed),
        "--to",
        "html,pdf,docx",
        "--edition",
        "public",
        "--out",
        str(out),
        env=env,
    )
    return sorted(out.iterdir())


# ---- the paths ---------------------------------------------------------------------------------


def path_build(name: str, tmp: Path, env: dict[str, str]) -> list[Path]:
    nb, _ = RUNS[name]
    entry = {
        "series": "yearbook" if name == "counties" else "bulletin",
        "notebook": str(nb.relative_to(ROOT)),
        "editions": ["public"],
        "formats": ["html", "pdf", "docx"],
    }
    if name == "bulletin":
        entry["regions"] = [COUNTY]
    release = tmp / "release.yaml"
    release.write_text(
        json.dumps(
            {"period": "2023" if name == "counties" else "2023-11", "publications": [entry]}
        ),
        encoding="utf-8",
    )
    _statlib("build", "--params", str(release), "-j", "1", env=env)
    folder = Path(env["STATLIB_OUTPUTS"]) / ("2023" if name == "counties" else "2023-11")
    return sorted(p for p in folder.rglob("*") if p.is_file())


def path_preview(name: str, tmp: Path, env: dict[str, str]) -> list[Path]:
    nb, parameters = RUNS[name]
    pairs = [a for k, v in {**parameters, "edition": "public"}.items() for a in ("-p", k, str(v))]
    _statlib("preview", str(nb), "--pdf", *pairs, env=env)
    folder = Path(env["STATLIB_OUTPUTS"]) / "preview" / nb.stem.lower()
    return sorted(p for p in folder.iterdir() if p.is_file())


def path_papermill(name: str, tmp: Path, env: dict[str, str]) -> list[Path]:
    nb, parameters = RUNS[name]
    executed = tmp / f"{nb.stem}.ipynb"
    _papermill(nb, executed, {**parameters, "edition": "public"}, env)
    return [executed, *_render(executed, tmp / "out", env)]


def path_jupyter_server(name: str, tmp: Path, env: dict[str, str]) -> list[Path]:
    """As an analyst in JupyterLab: set ``edition = "public"`` in the parameters cell, run all
    cells in a kernel of the Jupyter server, save, render."""
    nb_path, parameters = RUNS[name]
    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            assigned = {**parameters, "edition": "public"}
            lines = [
                ln for ln in cell.source.splitlines() if ln.split("=")[0].strip() not in assigned
            ]
            cell.source = "\n".join([*lines, *(f"{k} = {v!r}" for k, v in assigned.items())])
    with _jupyter_server(env, nb_path.parent) as kernel:
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = kernel(cell.source)
                cell.execution_count = 1
                errors = [o for o in cell.outputs if o.get("output_type") == "error"]
                assert not errors, (cell.source[:200], errors[0].get("evalue"))
    executed = tmp / f"{nb_path.stem}.ipynb"
    nbformat.write(nb, executed)
    return [executed, *_render(executed, tmp / "out", env)]


PATHS: dict[str, Callable[[str, Path, dict[str, str]], list[Path]]] = {
    "statlib build": path_build,
    "statlib preview": path_preview,
    "papermill CLI + statlib render": path_papermill,
    "Jupyter server kernel + statlib render": path_jupyter_server,
}


@pytest.mark.parametrize("name", list(RUNS))
@pytest.mark.parametrize("path", list(PATHS))
def test_public_on_every_path(
    path: str, name: str, env: dict[str, str], secrets: list[Secret], tmp_path: Path
) -> None:
    run_env = {**env, "STATLIB_OUTPUTS": str(tmp_path / "outputs")}
    files = PATHS[path](name, tmp_path, run_env)
    written = {p.suffix for p in files}
    assert {".html", ".pdf"} <= written, files
    hits = scan(files, secrets)
    assert hits == [], "\n".join(str(h) for h in hits[:10])
    for page in (p for p in files if p.suffix == ".html"):  # the store's record stays invisible
        assert "data_layer" not in page.read_text(encoding="utf-8"), page
    if name == "counties":  # 黑河旗 and its secondary cell (草甸旗) print as … in 表7-2
        page = next(p for p in files if p.suffix == ".html").read_text(encoding="utf-8")
        assert "68.61" not in page and "33.41" not in page and "…" in page
    FIGURES[f"{path} / {name}"] = len(hits)


def test_internal_run_holds_the_secrets(
    env: dict[str, str], secrets: list[Secret], tmp_path: Path
) -> None:
    """The scan above can fail: the same notebooks run as internal carry the figures."""
    nb, parameters = RUNS["counties"]
    executed = tmp_path / "counties.ipynb"
    _papermill(nb, executed, {**parameters, "edition": "internal"}, env)
    found = {h.label for h in scan([executed], secrets)}
    assert "unsafe ind_va/990208/2023-12" in found, found


def test_render_refuses_a_public_file_from_an_internal_run(
    env: dict[str, str], tmp_path: Path
) -> None:
    executed = tmp_path / "counties.ipynb"
    _papermill(COUNTIES, executed, {"year": 2023, "edition": "internal"}, env)
    done = _statlib(
        "render",
        str(executed),
        "--edition",
        "public",
        "--out",
        str(tmp_path / "out"),
        env=env,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "edition parameter is 'internal'" in done.stderr and "-p edition public" in done.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    # the parameters cell hand-edited after the run changes nothing: the store it read counts
    nb = nbformat.read(executed, as_version=4)
    nb.metadata["papermill"]["parameters"]["edition"] = "public"
    nbformat.write(nb, executed)
    done = _statlib(
        "render",
        str(executed),
        "--edition",
        "public",
        "--out",
        str(tmp_path / "out"),
        env=env,
        check=False,
    )
    assert done.returncode == 2 and "read the internal store" in done.stderr, done.stderr
    FIGURES["statlib render --edition public of an internal run (refused)"] = 0


def test_render_refuses_an_unexecuted_notebook(env: dict[str, str], tmp_path: Path) -> None:
    done = _statlib(
        "render",
        str(BULLETIN),
        "--edition",
        "internal",
        "--out",
        str(tmp_path / "out"),
        env=env,
        check=False,
    )
    assert done.returncode == 5 and "has not been executed" in done.stderr, done.stderr


def test_paths_figure() -> None:
    """Runs last in this module: the figure for docs/reliability.md."""
    if len(FIGURES) < len(PATHS) * len(RUNS) + 1:
        pytest.skip("the path tests did not all run")
    runs = len(PATHS) * len(RUNS)
    print(
        f"\nS3: {len(PATHS)} paths tried ({', '.join(PATHS)}) × {len(RUNS)} notebooks "
        f"(county chapter, 黑河旗 bulletin) = {runs} public runs, "
        f"{sum(FIGURES.values())} confidential or unsafe values; a public render of an "
        "internal run refused"
    )


# ---- a Jupyter server and one of its kernels ----------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Kernel:
    """Execute code in a server kernel over the websocket channels (Jupyter messaging v5)."""

    def __init__(self, url: str, token: str, kernel_id: str) -> None:
        import websocket

        self.ws = websocket.create_connection(
            f"ws://{url}/api/kernels/{kernel_id}/channels?token={token}", timeout=120
        )
        self.session = uuid.uuid4().hex

    def __call__(self, code: str) -> list[nbformat.NotebookNode]:
        msg_id = uuid.uuid4().hex
        self.ws.send(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": "execute_request",
                        "username": "analyst",
                        "session": self.session,
                        "version": "5.3",
                        "date": "",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "channel": "shell",
                    "buffers": [],
                    "content": {
                        "code": code,
                        "silent": False,
                        "store_history": True,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": True,
                    },
                }
            )
        )
        outputs: list[nbformat.NotebookNode] = []
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content["execution_state"] == "idle":
                return outputs
            if kind in ("display_data", "execute_result", "stream", "error"):
                outputs.append(nbformat.v4.output_from_msg(msg))


class _jupyter_server:
    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd

    def __enter__(self) -> _Kernel:
        if shutil.which("jupyter") is None and not _has_module("jupyter_server"):
            pytest.skip("jupyter_server is not installed")
        port, self.token = _free_port(), uuid.uuid4().hex
        self.url = f"127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                "--no-browser",
                f"--port={port}",
                "--ip=127.0.0.1",
                f"--IdentityProvider.token={self.token}",
                "--allow-root",
                f"--ServerApp.root_dir={ROOT}",
                "--ServerApp.disable_check_xsrf=True",
            ],
            env={k: v for k, v in self.env.items() if k != "STATLIB_EDITION"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                self._api("GET", "/api/status")
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.proc.kill()
                    err = self.proc.communicate()[1].decode(errors="replace")[-2000:]
                    raise AssertionError(f"jupyter server did not start:\n{err}") from None
                time.sleep(0.3)
        path = str(self.cwd.relative_to(ROOT))
        kernel = self._api("POST", "/api/kernels", {"name": "python3", "path": path})
        self.kernel_id = kernel["id"]
        return _Kernel(self.url, self.token, self.kernel_id)

    def _api(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"http://{self.url}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"{}")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
