"""Project discovery: the root from where the user stands; env > statlib.yaml > default."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from statlib import config, project
from statlib.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]

CASES = [
    # (files, cwd below tmp, env, expected root below tmp)
    ({"p/statlib.yaml": ""}, "p/notebooks/yearbook", {}, "p"),
    ({"p/statlib.yaml": "", "p/sub/statlib.yaml": ""}, "p/sub/x", {}, "p/sub"),
    ({"p/pyproject.toml": "[tool.statlib]\noutputs = 'out'\n"}, "p/a", {}, "p"),
    ({"p/pyproject.toml": "[project]\nname='x'\n", "statlib.yaml": ""}, "p/a", {}, "."),
    ({"p/statlib.yaml": "", "q/statlib.yaml": ""}, "p", {"STATLIB_PROJECT": "q"}, "q"),
]


def _write(tmp: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp / rel).write_text(text, encoding="utf-8")


@pytest.fixture()
def tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for s in config.SETTINGS:
        monkeypatch.delenv(s.env, raising=False)
    monkeypatch.delenv("STATLIB_PROJECT", raising=False)
    return tmp_path


@pytest.mark.parametrize(("files", "cwd", "env", "root"), CASES)
def test_root_found_from_cwd(
    tmp: Path, monkeypatch: pytest.MonkeyPatch, files: dict, cwd: str, env: dict, root: str
) -> None:
    _write(tmp, files)
    (tmp / cwd).mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(tmp / cwd)
    for k, v in env.items():
        monkeypatch.setenv(k, str(tmp / v))
    assert config.project_root() == (tmp / root).resolve()


@pytest.mark.parametrize(
    ("yaml_text", "env", "name", "value", "origin"),
    [
        ("outputs: pub\n", {}, "outputs", "{root}/pub", "{root}/statlib.yaml"),
        ("outputs: /abs/pub\n", {}, "outputs", "/abs/pub", "{root}/statlib.yaml"),
        ("outputs: pub\n", {"STATLIB_OUTPUTS": "/e"}, "outputs", "/e", "env"),
        ("edition: public\n", {}, "edition", "public", "{root}/statlib.yaml"),
        ("lock_wait: 30\n", {}, "lock_wait", "30", "{root}/statlib.yaml"),
        ("db: postgresql://h/db\n", {}, "db", "postgresql://h/db", "{root}/statlib.yaml"),
        ("", {}, "outputs", "outputs", "default"),
        ("", {}, "edition", "internal", "default"),
    ],
)
def test_env_over_yaml_over_default(
    tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    yaml_text: str,
    env: dict,
    name: str,
    value: str,
    origin: str,
) -> None:
    root = tmp.resolve()
    (root / "statlib.yaml").write_text(yaml_text, encoding="utf-8")
    monkeypatch.chdir(root)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert config.source(name) == (value.format(root=root), origin.format(root=root))


def test_paths_resolve_against_the_root_not_the_cwd(
    tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp / "statlib.yaml").write_text("outputs: pub\n", encoding="utf-8")
    (tmp / "notebooks").mkdir()
    monkeypatch.chdir(tmp / "notebooks")
    assert config.path("outputs") == tmp.resolve() / "pub"
    assert config.path("work") == tmp.resolve() / ".statlib"


@pytest.mark.parametrize(
    ("yaml_text", "words"),
    [
        ("output: x\n", ["statlib.yaml", "unknown key 'output'", "allowed keys:", "outputs"]),
        ("outputs: [a, b]\n", ["statlib.yaml", "'outputs'", "string or a number", "list"]),
        ("- a\n", ["statlib.yaml", "mapping", "list"]),
        ("a: [\n", ["statlib.yaml", "not valid YAML"]),
    ],
)
def test_bad_project_file_names_file_and_key(
    tmp: Path, monkeypatch: pytest.MonkeyPatch, yaml_text: str, words: list[str]
) -> None:
    (tmp / "statlib.yaml").write_text(yaml_text, encoding="utf-8")
    monkeypatch.chdir(tmp)
    with pytest.raises(ConfigError) as err:
        config.get("outputs")
    for w in words:
        assert w in str(err.value)


def test_no_project_names_the_folder_and_the_ways_out(
    tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp)
    with pytest.raises(ConfigError) as err:
        project.find_root()
    msg = str(err.value)
    for w in [str(tmp.resolve()), "statlib init DIR", "cd into a project", "STATLIB_PROJECT"]:
        assert w in msg
    # settings without a project fall back to their defaults
    assert config.source("outputs") == ("outputs", "default")


def test_pinned_project_must_exist(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATLIB_PROJECT", str(tmp / "missing"))
    with pytest.raises(ConfigError, match=r"STATLIB_PROJECT=.*missing: no such folder"):
        project.find_root()


def test_init_scaffolds_a_project_found_from_inside(
    tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from statlib._cli_project import init_project

    files = {p.relative_to(tmp / "p").as_posix() for p in init_project(tmp / "p")}
    for want in [
        "statlib.yaml",
        ".gitignore",
        "README.md",
        "notebooks/bulletin.ipynb",
        "notebooks/yearbook/book.yaml",
        "params/2023-11.yaml",
        "rules/balance.yaml",
        "templates/series/bulletin.yaml",
        "data/catalogue/indicators.csv",
        "data/demo/observations.csv",
    ]:
        assert want in files, want
    assert not any(f.endswith(".duckdb") for f in files)
    demo = sorted(p.name for p in (ROOT / "data" / "demo").iterdir())
    for name in demo:  # generated by init, not carried in the wheel: the same bytes
        assert filecmp.cmp(tmp / "p" / "data" / "demo" / name, ROOT / "data" / "demo" / name), name
    assert "outputs/" in (tmp / "p" / ".gitignore").read_text(encoding="utf-8").splitlines()
    nb = (tmp / "p" / "notebooks" / "bulletin.ipynb").read_text(encoding="utf-8")
    assert '"outputs": []' in nb and '"output_type"' not in nb
    monkeypatch.chdir(tmp / "p" / "notebooks")
    assert config.project_root() == (tmp / "p").resolve()
    assert config.path("outputs") == (tmp / "p").resolve() / "outputs"
    with pytest.raises(ConfigError, match="not empty; choose a new folder or pass --force"):
        init_project(tmp / "p")
