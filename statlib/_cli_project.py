"""CLI commands about the project folder: ``statlib settings``."""

from __future__ import annotations

import click

from statlib import config
from statlib.errors import StatlibError

__all__ = ["settings_cmd"]


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
