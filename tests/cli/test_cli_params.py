"""-p NAME VALUE (typed like its default), -r, -f, -y in statlib preview and statlib render."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from click.testing import CliRunner

from statlib._cli_params import parameters_of
from statlib.batch.safety import resolve_text
from statlib.cli import main
from statlib.errors import ConfigError


def _probe(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(
        "region = '990200'\nn = 1\nratio = 0.5\nflag = False\nitems = ['a']\n"
        "mapping = {'k': 'v'}\nmaybe = None"
    )
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell("print(region)")]
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("True", True),
        ("False", False),
        ("None", None),
        ("12", 12),
        ("-3", -3),
        ("2.5", 2.5),
        ("1e3", 1000.0),
        ("true", "true"),  # papermill reads only True/False
        ("990202", 990202),
        ("川东区", "川东区"),
    ],
)
def test_resolve_text_is_papermills(text: str, expected: Any) -> None:
    import papermill.cli

    assert resolve_text(text) == expected
    assert type(resolve_text(text)) is type(expected)
    assert papermill.cli._resolve_type(text) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ((("region", "990202"),), {"region": "990202"}),  # a str default keeps the text
        ((("region", "None"),), {"region": "None"}),
        ((("n", "7"),), {"n": 7}),
        ((("ratio", "3"),), {"ratio": 3}),  # an int is a float's value too
        ((("ratio", "2.5"),), {"ratio": 2.5}),
        ((("flag", "True"),), {"flag": True}),
        ((("flag", "true"),), {"flag": True}),
        ((("items", "[1, x]"),), {"items": [1, "x"]}),
        ((("mapping", "{a: 1}"),), {"mapping": {"a": 1}}),
        ((("maybe", "4"),), {"maybe": 4}),
        ((("maybe", "text"),), {"maybe": "text"}),
        ((("n", "7"), ("n", "8")), {"n": 8}),  # the last one wins
    ],
)
def test_p_is_typed_from_the_default(
    tmp_path: Path, params: tuple[tuple[str, str], ...], expected: dict[str, Any]
) -> None:
    got = parameters_of(_probe(tmp_path / "p.ipynb"), params)
    assert got == expected
    assert {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in expected.items()}


@pytest.mark.parametrize(
    ("params", "raws", "message"),
    [
        ((("regio", "990202"),), (), "declares no parameter 'regio'; .* declares flag, items"),
        ((("n", "seven"),), (), "parameter n must be a int like its default 1, not 'seven'"),
        ((("flag", "maybe"),), (), "parameter flag must be a bool"),
        ((("items", "{a: 1}"),), (), "parameter items must be a list"),
        ((), (("n", "7"),), "parameter n must be a int like its default 1, not '7'"),
        ((), (("nope", "7"),), "declares no parameter 'nope'"),
    ],
)
def test_p_refuses(
    tmp_path: Path,
    params: tuple[tuple[str, str], ...],
    raws: tuple[tuple[str, str], ...],
    message: str,
) -> None:
    with pytest.raises(ConfigError, match=message):
        parameters_of(_probe(tmp_path / "p.ipynb"), params, raws)


def test_r_file_and_yaml_layer(tmp_path: Path) -> None:
    nb = _probe(tmp_path / "p.ipynb")
    file = tmp_path / "params.yaml"
    file.write_text("region: '990201'\nn: 3\nitems: [b]\n", encoding="utf-8")
    assert parameters_of(nb, params_file=str(file)) == {"region": "990201", "n": 3, "items": ["b"]}
    got = parameters_of(
        nb,
        (("n", "5"),),
        (("region", "990202"),),
        str(file),
        "{n: 4, flag: true}",
    )
    assert got == {"region": "990202", "n": 5, "items": ["b"], "flag": True}
    file.write_text("region: 990202\n", encoding="utf-8")  # YAML's int for a text parameter
    with pytest.raises(ConfigError, match="region must be a str like its default '990200'"):
        parameters_of(nb, params_file=str(file))
    with pytest.raises(ConfigError, match="must be a mapping"):
        parameters_of(nb, params_yaml="[1, 2]")


@pytest.mark.parametrize("command", ["preview", "render"])
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-p", "region=990202", "--pdf"], "write -p NAME VALUE"),
        (["-p", "region=990202"], "-p takes two values: write -p NAME VALUE"),
        (["-r", "region=990202"], "-r takes two values: write -p NAME VALUE"),
        (["-p", "regio", "990202"], "declares no parameter 'regio'"),
        (["-p", "n", "x"], "parameter n must be a int"),
    ],
)
def test_cli_refuses_before_running(
    tmp_path: Path, command: str, args: list[str], words: str
) -> None:
    nb = _probe(tmp_path / "p.ipynb")
    if command == "render" and "--pdf" in args:
        args = [a if a != "--pdf" else "--execute" for a in args]
    result = CliRunner().invoke(main, [command, str(nb), *args])
    assert result.exit_code in (2, 3), result.output
    assert words in result.output
    assert not (tmp_path / "outputs").exists()
