"""The analyst's loop on the command line: ``statlib new``, ``statlib preview`` and ``statlib
render`` (papermill's parameter form, ``statlib._cli_params``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from statlib._cli_common import DATE, handle_errors, path_option
from statlib._cli_params import ParamsCommand, given, parameter_options, parameters_of
from statlib.editions import EDITIONS
from statlib.periods import PERIOD, Period

__all__ = ["new_cmd", "preview_cmd", "render_cmd"]


@click.command("render", cls=ParamsCommand)
@click.argument("notebook", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--to",
    "to",
    default="html,pdf,docx",
    show_default=True,
    metavar="FORMATS",
    help="Comma-separated formats: html, pdf, docx, wechat, xlsx, csv (the 附表 downloads).",
)
@click.option(
    "--edition",
    type=click.Choice(EDITIONS),
    default=None,
    help="Edition (default: the front matter's, then the series'). With --execute it is the "
    "run's edition parameter too.",
)
@path_option("--out", "out", "Output folder (default: outputs/preview/<notebook stem>/).")
@click.option("--self-contained", is_flag=True, help="Embed the shipped fonts in the HTML page.")
@click.option("--date", "day", type=DATE, default=None, help="Masthead date (YYYY-MM-DD).")
@click.option(
    "--execute",
    is_flag=True,
    help="Execute the notebook first, as statlib preview does (implied by -p/-r/-f/-y).",
)
@parameter_options
@handle_errors
def render_cmd(
    notebook: str,
    to: str,
    edition: str | None,
    out: str | None,
    self_contained: bool,
    day: dt.datetime | None,
    execute: bool,
    params: tuple[tuple[str, str], ...],
    raws: tuple[tuple[str, str], ...],
    params_file: str | None,
    params_yaml: str | None,
) -> None:
    """Render an executed notebook: `statlib render bulletin.ipynb --to html,pdf`.

    An unexecuted notebook is refused (run `statlib preview NB` first, or pass --execute);
    with --execute or parameters it is executed first in a warm kernel, then rendered."""
    import tempfile

    import nbformat

    from statlib.batch.safety import declared_parameters
    from statlib.render import default_out, render
    from statlib.render.frontmatter import stamp_notebook

    formats = [t for t in to.split(",") if t.strip()]
    target = Path(out) if out else default_out(notebook)
    if execute or given(params, raws, params_file, params_yaml):
        values = parameters_of(Path(notebook), params, raws, params_file, params_yaml)
        if edition and "edition" not in values and "edition" in declared_parameters(Path(notebook)):
            values["edition"] = edition  # a public file is made only from a public run
        made = _execute(
            notebook,
            values,
            tuple(formats),
            day,
            out=target,
            self_contained=self_contained,
        )
        for fmt, path in made.items():
            click.echo(f"{fmt:6} {path}")
        return
    with tempfile.TemporaryDirectory(prefix="statlib-date-") as tmp:
        source = Path(notebook)
        if day is not None:  # the masthead date of this rendering: a stamped copy
            nb = nbformat.read(source, as_version=4)
            stamp_notebook(nb, {"date": day.date()}, source.name)
            source = Path(tmp) / source.name
            nbformat.write(nb, source)
        written = render(
            source, formats, edition=edition, out=target, self_contained=self_contained
        )
    for fmt, path in written.items():
        click.echo(f"{fmt:6} {path}")


@click.command("new")
@click.argument("series")
@click.option(
    "--period",
    type=PERIOD,
    required=True,
    help="Period of the publication (2023-11, 2023Q3, 2023).",
)
@click.option("--title", default=None, help="Document title (default: period + series title).")
@click.option("--region", default="990200", show_default=True, help="Default region code.")
@path_option("--folder", "folder", "Where to create it (default: the project's notebooks/).")
@handle_errors
def new_cmd(
    series: str, period: Period, title: str | None, region: str, folder: str | None
) -> None:
    """Start a notebook from a series template: front matter, parameters, usual sections.

    The parameters cell is written with repr and read back: a value is never code."""

    from statlib.authoring import new_notebook

    path = new_notebook(
        series, str(period), title=title, region=region, folder=Path(folder) if folder else None
    )
    click.echo(f"created {path}\nopen it in JupyterLab, then: statlib preview {path}")


@click.command("preview", cls=ParamsCommand)
@click.argument("notebook", type=click.Path(exists=True, dir_okay=False))
@click.option("--pdf", is_flag=True, help="Also render the PDF.")
@parameter_options
@click.option("--date", "day", type=DATE, default=None, help="Masthead date (YYYY-MM-DD).")
@handle_errors
def preview_cmd(
    notebook: str,
    pdf: bool,
    params: tuple[tuple[str, str], ...],
    raws: tuple[tuple[str, str], ...],
    params_file: str | None,
    params_yaml: str | None,
    day: dt.datetime | None,
) -> None:
    """Execute a notebook with its parameters and render it to a scratch folder, with the
    masthead a build would give it (第X期 from the registry, not registered):
    `statlib preview notebooks/bulletin.ipynb -p region 990202`."""
    values = parameters_of(Path(notebook), params, raws, params_file, params_yaml)
    made = _execute(notebook, values, ("html", "pdf") if pdf else ("html",), day)
    for fmt, path in made.items():
        click.echo(f"{fmt:6} {path}")


def _execute(
    notebook: str,
    values: dict[str, Any],
    to: tuple[str, ...],
    day: dt.datetime | None,
    *,
    out: Path | None = None,
    self_contained: bool = False,
) -> dict[str, Path]:
    """Run ``notebook`` with ``values`` in a warm kernel and render it (``authoring.preview``),
    with the masthead a build would give it."""
    from statlib.authoring import preview
    from statlib.batch.jobs import preview_masthead
    from statlib.batch.safety import declared_parameters

    masthead, known = preview_masthead(
        Path(notebook),
        {**declared_parameters(Path(notebook)), **values},
        date=day.date() if day else None,
    )
    if masthead:
        state = "registered" if known else "the number a build would give; not registered"
        click.echo(f"masthead: 第{masthead['issue']}期 ({state}), {masthead['date']}", err=True)
    return preview(
        notebook,
        parameters=values,
        to=to,
        out=out,
        masthead=masthead,
        self_contained=self_contained,
    )
