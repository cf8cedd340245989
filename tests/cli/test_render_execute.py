"""statlib render refuses a notebook that did not run (every edition); --execute runs it first."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from statlib.cli import main
from statlib.errors import RenderError

BULLETIN = Path(__file__).parents[2] / "notebooks" / "bulletin.ipynb"


def _half_run(path: Path) -> Path:
    """The bulletin as saved after running every code cell but the last one."""
    nb = nbformat.read(BULLETIN, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    for i, cell in enumerate(code[:-1], 1):
        cell.execution_count = i
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ok\n")]
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("edition", ["internal", "public", "masked"])
@pytest.mark.parametrize(("state", "words"), [("never", "no code cell ran"), ("half", "never ran")])
def test_render_refuses_a_notebook_that_did_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edition: str, state: str, words: str
) -> None:
    monkeypatch.setenv("STATLIB_OUTPUTS", str(tmp_path / "outputs"))
    nb = BULLETIN if state == "never" else _half_run(tmp_path / "bulletin.ipynb")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", str(nb), "--edition", edition, "--out", str(out)])
    assert result.exit_code == RenderError.exit_code == 5, result.output
    assert "has not been executed" in result.output and words in result.output
    assert f"statlib render {nb} --execute --edition {edition}" in result.output
    assert not out.exists() or not any(out.iterdir())


def test_render_execute_runs_then_renders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATLIB_OUTPUTS", str(tmp_path / "outputs"))
    monkeypatch.setenv("STATLIB_WORK", str(tmp_path / "work"))
    out = tmp_path / "out"
    args = ["render", str(BULLETIN), "--to", "html", "--out", str(out), "-p", "region", "990202"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    executed = nbformat.read(out / "bulletin.ipynb", as_version=4)
    assert all(c.execution_count for c in executed.cells if c.cell_type == "code")
    page = (out / "bulletin.internal.html").read_text(encoding="utf-8")
    assert "川东区" in page
    # the executed notebook renders again without --execute; a public file of it is refused
    args = ["render", str(out / "bulletin.ipynb"), "--to", "html", "--out", str(tmp_path / "b")]
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert (tmp_path / "b" / "bulletin.internal.html").exists()
    public = CliRunner().invoke(main, [*args, "--edition", "public"])
    assert public.exit_code == 2 and "edition parameter is 'internal'" in public.output
