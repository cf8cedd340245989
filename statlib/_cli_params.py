"""The parameter options of ``statlib preview``, ``render`` and ``build``, in papermill's form.

``-p NAME VALUE`` (typed from the parameters cell's default: ``statlib.batch.safety.
typed_values``), ``-r NAME VALUE`` (raw: always text), ``-f FILE.yaml`` (a parameters file) and
``-y YAML`` (a YAML mapping). A file comes first, then ``-y``, then ``-p``/``-r`` override it.
Every value is then checked against the parameters cell (``safety.check_parameters``): an
undeclared name is refused, naming the declared ones.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from statlib.errors import ConfigError

__all__ = ["ParamsCommand", "given", "parameter_options", "parameters_of", "values_of"]

_PAIR_HELP = "write -p NAME VALUE (papermill's form), e.g. -p region 990202"


class ParamsCommand(click.Command):
    """A command with :func:`parameter_options`: ``-p region=990202`` as the last option (click:
    "requires 2 arguments") is answered with papermill's form."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.BadOptionUsage as exc:
            if exc.option_name in ("-p", "--parameter", "-r", "--parameter-raw"):
                raise click.BadOptionUsage(
                    exc.option_name, f"{exc.option_name} takes two values: {_PAIR_HELP}", ctx
                ) from None
            raise


def parameter_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``-p``, ``-r``, ``-f`` and ``-y`` to a command (keyword ``params``, ``raws``,
    ``params_file``, ``params_yaml``)."""
    options = [
        click.option(
            "-p",
            "--parameter",
            "params",
            nargs=2,
            multiple=True,
            metavar="NAME VALUE",
            help="Set a parameter (repeatable), typed like its default in the parameters cell: "
            "text stays text (-p region 990202), numbers/True/False/None parse as papermill "
            "does, lists and dicts as YAML.",
        ),
        click.option(
            "-r",
            "--parameter-raw",
            "raws",
            nargs=2,
            multiple=True,
            metavar="NAME VALUE",
            help="Set a parameter to the text VALUE as it is (repeatable).",
        ),
        click.option(
            "-f",
            "--parameters-file",
            "params_file",
            type=click.Path(exists=True, dir_okay=False),
            default=None,
            help="A YAML file of parameters (NAME: VALUE); -y, -p and -r override it.",
        ),
        click.option(
            "-y",
            "--parameters-yaml",
            "params_yaml",
            default=None,
            metavar="YAML",
            help="Parameters as a YAML mapping, e.g. -y '{region: \"990202\"}'.",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def given(
    params: tuple[tuple[str, str], ...],
    raws: tuple[tuple[str, str], ...],
    params_file: str | None,
    params_yaml: str | None,
) -> bool:
    """Whether any parameter option was given."""
    return bool(params or raws or params_file or params_yaml)


def _mapping(text: str, where: str) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise ConfigError(f"{where}: not YAML; write NAME: VALUE lines") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: must be a mapping of NAME: VALUE, not {type(data).__name__}")
    return data


def values_of(
    params: tuple[tuple[str, str], ...] = (),
    raws: tuple[tuple[str, str], ...] = (),
    params_file: str | None = None,
    params_yaml: str | None = None,
) -> tuple[dict[str, Any], frozenset[str]]:
    """The values the options give, and the names whose value is final: from ``-f``/``-y``
    (as YAML typed them) or ``-r`` (text). The other values are ``-p`` texts, to be typed from
    each notebook's defaults (``safety.typed_values``). Later options override earlier ones."""
    for name, value in (*params, *raws):
        if "=" in name:
            raise click.BadParameter(f"{name!r} (then {value!r}): {_PAIR_HELP}", param_hint="-p/-r")
    values: dict[str, Any] = {}
    if params_file:
        values |= _mapping(Path(params_file).read_text(encoding="utf-8"), params_file)
    if params_yaml:
        values |= _mapping(params_yaml, "-y")
    final = set(values)
    for name, value in params:
        values[name] = value
        final.discard(name)
    for name, value in raws:
        values[name] = value
        final.add(name)
    return values, frozenset(final)


def parameters_of(
    notebook: Path,
    params: tuple[tuple[str, str], ...] = (),
    raws: tuple[tuple[str, str], ...] = (),
    params_file: str | None = None,
    params_yaml: str | None = None,
) -> dict[str, Any]:
    """The parameter values the options give for ``notebook``, typed and checked."""
    from statlib.batch.safety import check_parameters, typed_values

    values, final = values_of(params, raws, params_file, params_yaml)
    texts = {k: v for k, v in values.items() if k not in final}
    return check_parameters(notebook, {**values, **typed_values(notebook, texts)})
