"""CLI commands about the project folder: ``statlib settings``, ``statlib init DIR``."""

from __future__ import annotations

from pathlib import Path

import click

from statlib import config
from statlib._cli_common import handle_errors
from statlib._skeleton_files import SKELETON, copy_tree
from statlib.errors import ConfigError, StatlibError

__all__ = ["init_cmd", "init_project", "settings_cmd", "skeleton_source"]


@click.command("settings")
def settings_cmd() -> None:
    """List the settings: environment variable, current value, where it comes from."""
    try:
        click.echo(f"project: {config.project_root()}")
    except StatlibError as exc:
        click.echo(f"project: none ({exc})")
    for s in config.SETTINGS:
        value, origin = config.source(s.name)
        click.echo(f"{s.env:27} {value:28} [{origin}] {s.help}")


_GITIGNORE = "outputs/\n.statlib/\n*.duckdb\n*.duckdb.wal\n.ipynb_checkpoints/\n"
_YAML = (
    "# A statlib project: statlib finds it by walking up from the current directory.\n"
    "# Any setting of `statlib settings` by name; relative paths are relative to this folder.\n"
    "db: data/statlib.duckdb\ndata_dir: data\noutputs: outputs\nwork: .statlib\n"
)
_README = (
    "# A statlib project\n\n`statlib build` builds the store and every publication into "
    "`outputs/`; `statlib settings` shows the settings and where they come from "
    "(`statlib.yaml`).\n"
)


def skeleton_source() -> Path:
    """The skeleton: ``statlib/_skeleton`` in a wheel, else the checkout's own folders."""
    package = Path(__file__).resolve().parent
    shipped = package / "_skeleton"
    return shipped if shipped.is_dir() else package.parent


def init_project(folder: Path, force: bool = False) -> list[Path]:
    """Scaffold a bureau project in ``folder``; ConfigError if it is not empty (unless force)."""
    if folder.exists() and any(folder.iterdir()) and not force:
        raise ConfigError(f"{folder}: not empty; choose a new folder or pass --force")
    src = skeleton_source()
    missing = [n for n in SKELETON if not (src / n).is_dir()]
    if missing:
        raise ConfigError(f"{src}: the project skeleton lacks {', '.join(missing)}; reinstall")
    folder.mkdir(parents=True, exist_ok=True)
    for name in SKELETON:
        copy_tree(src / name, folder / name)
    from statlib.demo.generate import generate

    generate(folder / "data" / "demo")  # the same bytes as the checkout's data/demo
    (folder / "statlib.yaml").write_text(_YAML, encoding="utf-8")
    (folder / ".gitignore").write_text(_GITIGNORE, encoding="utf-8")
    (folder / "README.md").write_text(_README, encoding="utf-8")
    return sorted(p for p in folder.rglob("*") if p.is_file())


@click.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Write into a folder that is not empty.")
@handle_errors
def init_cmd(folder: Path, force: bool) -> None:
    """Scaffold a bureau project in FOLDER (notebooks, params, rules, data, statlib.yaml)."""
    files = init_project(folder, force)
    click.echo(f"{folder}: {len(files)} files; cd {folder} && statlib build")
