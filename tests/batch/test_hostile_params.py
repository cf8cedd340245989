"""S4 extended (issue 11): hostile parameter values stay text through ``statlib new``,
``statlib preview -p`` and the release file; hostile names are refused before a kernel starts.

"Became code" is decided three ways: the parameters cell (or papermill's injected cell) parses
to nothing but ``name = literal`` assignments, each literal equals the value given, and a real
kernel run of the values leaves no canary file and reads every value back unchanged.
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml
from click.testing import CliRunner
from papermill.parameterize import parameterize_notebook

from statlib import ConfigError
from statlib.batch.jobs import load_release, plan
from statlib.batch.safety import check_parameters, parameters_source, typed_values
from statlib.cli import main


def hostile(canary: Path) -> list[str]:
    """Values that would run code, or break the cell, if pasted into source."""
    run = f"__import__('os').system('touch {canary}')"
    return [
        "'",
        '"',
        "'''",
        '"""',
        "\\",
        "\\\\'",
        "a\\",
        "990202'\n" + run + "\n'",
        '990202"\n' + run + '\n"',
        f'"""; {run}; """',
        f"'''; {run}; '''",
        f"'); {run}; ('",
        f'"); {run}; ("',
        run,
        f"{{{run}}}",
        "{region}",
        "{}",
        "{0}",
        "%s%(x)s",
        "\n",
        "\r\n",
        "a\u2028b\u2029c",
        "#",
        "\\n\\x00",
        "\x1b[31m",
        f"'{run}'#",
        "f'{" + run + "}'",
        "云川市\"黑河旗'\n",
        "0x10",
        "1e5",
        "True",
        "None",
        "[]",
        "990202",
        "$(touch /tmp/x) `id`",
        "<script>alert(1)</script>",
        "x" * 100_000,
        "\x00",
        "990202\x00" + run,
    ]


NAMES = [
    "a\nimport os",
    "x;import os",
    "__import__('os')",
    "1x",
    "a b",
    "a-b",
    "",
    "é\u200b",
    "x=1",
    "region\n",
]


def became_code(source: str, expected: dict) -> bool:
    """True unless ``source`` is only ``name = literal`` lines that read back as ``expected``."""
    tree = ast.parse(source)
    got = {}
    for node in tree.body:
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            return True
        try:
            got[node.targets[0].id] = ast.literal_eval(node.value)
        except ValueError:
            return True
    return any(got.get(k, object()) != v for k, v in expected.items())


def probe_notebook(path: Path, slots: int) -> Path:
    """A notebook with ``slots`` string parameters and typed ones; it prints what it received."""
    names = [f"h{i}" for i in range(slots)]
    params = "\n".join(
        [
            *(f"{n} = ''" for n in names),
            "n = 1",
            "ratio = 0.5",
            "flag = False",
            "items = ['a']",
            "mapping = {'k': 'v'}",
            "period = '2023-11'",
            "region = '990200'",
            "edition = 'internal'",
        ]
    )
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    every = [*names, "n", "ratio", "flag", "items", "mapping", "region"]
    nb.cells = [
        nbformat.v4.new_raw_cell("---\ntitle: 参数探针\nseries: bulletin\nedition: internal\n---"),
        cell,
        nbformat.v4.new_code_cell(
            "#| echo: false\n#| output: false\nimport json\n"
            f"print(json.dumps({{k: globals()[k] for k in {every!r}}}, ensure_ascii=True))"
        ),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def received(executed: Path) -> dict:
    nb = nbformat.read(executed, as_version=4)
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    return json.loads(text)


def _copy(demo_db: Path, tmp_path: Path) -> Path:
    """A copy of the demo database: a build registers its issues, never in the shared one."""
    db = tmp_path / "statlib.duckdb"
    if not db.exists():
        shutil.copy(demo_db, db)
    return db


def test_s4_hostile_values_stay_text(
    tmp_path: Path, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATLIB_DB", str(_copy(demo_db, tmp_path)))
    monkeypatch.setenv("STATLIB_OUTPUTS", str(tmp_path / "outputs"))
    monkeypatch.setenv("STATLIB_WORK", str(tmp_path / "work"))
    canary = tmp_path / "pwned"
    values = hostile(canary)
    tried = text = refused = code = 0
    names_rejected = 0
    runner = CliRunner()

    # 1. statlib new --region V --title V: the parameters cell and the front matter
    for i, value in enumerate(values):
        folder = tmp_path / "new" / str(i)
        result = runner.invoke(
            main,
            [
                "new",
                "bulletin",
                "--period",
                "2023-10",
                "--region",
                value,
                "--title",
                value,
                "--folder",
                str(folder),
            ],
        )
        tried += 1
        if "\x00" in value:  # refused with a message, nothing written
            assert result.exit_code == 2 and "NUL" in result.output, result.output
            assert not folder.exists() or not any(folder.iterdir())
            refused += 1
            continue
        assert result.exit_code == 0, result.output
        nb = nbformat.read(folder / "bulletin-2023-10.ipynb", as_version=4)
        source = nb.cells[1].source
        expected = {"period": "2023-10", "region": value, "edition": "internal"}
        if became_code(source, expected):
            code += 1
            continue
        front = yaml.safe_load(nb.cells[0].source[3:-3])
        assert front["title"] == value
        text += 1
    # a hostile period never reaches the cell
    result = runner.invoke(
        main,
        [
            "new",
            "bulletin",
            "--period",
            "2023-10'\nimport os\n'",
            "--folder",
            str(tmp_path / "new-period"),
        ],
    )
    assert result.exit_code != 0 and not (tmp_path / "new-period").exists()

    # 2. statlib preview -p: typed as the parameters cell says, then one real kernel run
    probe = probe_notebook(tmp_path / "probe.ipynb", len(values))
    typed = typed_values(
        probe, {"region": "990202", "n": "7", "ratio": "2.5", "flag": "true", "items": "[1, 'x']"}
    )
    assert typed == {"region": "990202", "n": 7, "ratio": 2.5, "flag": True, "items": [1, "x"]}
    with pytest.raises(ConfigError, match="must be a int"):
        typed_values(probe, {"n": "__import__('os')"})
    seen: dict = {}
    monkeypatch.setattr(
        "statlib.authoring.preview", lambda nb, parameters=None, **kw: seen.update(parameters) or {}
    )
    for i, value in enumerate(values):
        result = runner.invoke(main, ["preview", str(probe), "-p", f"h{i}", value])
        tried += 1
        if "\x00" in value:
            # click passes NUL through; the check refuses it before any kernel
            with pytest.raises(ConfigError, match="NUL"):
                check_parameters(probe, {f"h{i}": value})
            refused += 1
            continue
        assert result.exit_code == 0, result.output
        if seen.get(f"h{i}") != value:
            code += 1
        else:
            text += 1
    monkeypatch.undo()
    monkeypatch.setenv("STATLIB_DB", str(_copy(demo_db, tmp_path)))
    monkeypatch.setenv("STATLIB_OUTPUTS", str(tmp_path / "outputs"))
    monkeypatch.setenv("STATLIB_WORK", str(tmp_path / "work"))
    live = {f"h{i}": v for i, v in enumerate(values) if "\x00" not in v}
    live |= {"items": values[:5], "mapping": {v: v for v in values[:8]}}
    from statlib.authoring import preview

    executed = preview(probe, parameters=live, out=tmp_path / "preview")["ipynb"]
    got = received(executed)
    assert {k: got[k] for k in live} == live, "a value changed on its way into the kernel"
    assert not canary.exists()

    # 3. the release file: params/*.yaml → plan → papermill's injected cell, and one kernel run
    pubs = [
        {
            "series": f"probe{i}",
            "notebook": "probe.ipynb",
            "editions": ["internal"],
            "regions": [f"r{i}"],  # a region that slugs to nothing is refused as a file name
            "parameters": {"region": value, "h0": value, "items": [value]},
        }
        for i, value in enumerate(values)
    ]
    release = tmp_path / "2023-11.yaml"
    jobs = []
    for pub in pubs:
        tried += 1
        release.write_text(
            yaml.safe_dump({"period": "2023-11", "publications": [pub]}, allow_unicode=True),
            encoding="utf-8",
        )
        try:
            [job] = plan(load_release(release), root=tmp_path)
        except ConfigError as exc:
            assert "NUL" in str(exc)
            refused += 1
            continue
        nb = nbformat.read(probe, as_version=4)
        for cell in nb.cells:  # as WarmKernel.run prepares it for papermill
            cell.metadata.setdefault("tags", [])
        nb.metadata["papermill"] = {}
        nb = parameterize_notebook(nb, job.parameters, report_mode=False)
        injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.tags)
        value = pub["parameters"]["h0"]
        if became_code(injected.source, {"region": value, "h0": value, "items": [value]}):
            code += 1
        else:
            text += 1
            jobs.append(job)
    from statlib.batch.kernel import WarmKernel

    kernel = WarmKernel(cwd=tmp_path)
    try:
        for job in (jobs[7], jobs[13], jobs[-1]):  # code after a newline, bare code, very long
            executed_nb, _, _ = kernel.run(job.notebook, job.parameters)
            nbformat.write(executed_nb, tmp_path / "run.ipynb")
            got = received(tmp_path / "run.ipynb")
            assert got["region"] == job.parameters["region"] == got["h0"]
            assert got["h0"] == job.parameters["h0"] and got["items"] == job.parameters["items"]
    finally:
        kernel.shutdown()
    assert not canary.exists()

    # hostile names: refused by the release check, -p, and the cell writer, before any kernel
    for name in NAMES:
        for attempt in (
            lambda name=name: check_parameters(probe, {name: "x"}),
            lambda name=name: parameters_source({name: "x"}),
            lambda name=name: plan(
                {
                    "period": "2023-11",
                    "publications": [
                        {"series": "p", "notebook": "probe.ipynb", "parameters": {name: 1}}
                    ],
                },
                root=tmp_path,
            ),
        ):
            with pytest.raises(ConfigError):
                attempt()
            names_rejected += 1
        result = runner.invoke(main, ["preview", str(probe), "-p", name, "1"])
        assert result.exit_code != 0 and "Traceback" not in result.output
        names_rejected += 1

    assert code == 0 and text + refused == tried
    print(
        f"\nS4: {tried} hostile values through new, preview -p and the release file: "
        f"{text} stayed text, {refused} refused (NUL), 0 became code; "
        f"{names_rejected}/{len(NAMES) * 4} hostile names rejected before a kernel starts"
    )
