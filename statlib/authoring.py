"""The analyst's loop: ``statlib new`` starts a notebook from a series template, ``statlib
preview`` executes it with its parameters and renders it to a scratch folder.

The new notebook carries the series' front matter, a ``parameters`` cell and the series' usual
sections (``sections:`` in ``templates/series/<series>.yaml``), each with a first sentence from
``statlib.phrase.describe`` to edit. Preview runs exactly what the batch runs — the same warm
kernel code, papermill's parameter injection and the same renderer — so what the analyst sees is
what ``statlib build`` publishes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import yaml

from statlib import config, fsio, periods
from statlib import series as series_registry
from statlib.batch.safety import check_parameters, declared_parameters, parameters_source
from statlib.errors import ConfigError
from statlib.fsio import inside, slug

__all__ = ["new_notebook", "preview"]

_SETUP = """\
#| echo: false
from IPython.display import Markdown, display

import statlib
from statlib import periods, phrase

store = statlib.open_store(edition=edition)  # the run's edition (statlib.editions)
label = periods.label(period)
place = store.region(region).name"""

_SECTION = """\
#| echo: false
try:
    text = phrase.describe(store, {indicator!r}, region, period)
except statlib.DataError:  # not published for this region: say so, or delete the section
    text = "（" + place + "无此指标数据。）"
display(Markdown({heading!r} + text))"""


def new_notebook(
    series: str,
    period: str,
    *,
    title: str | None = None,
    region: str = "990200",
    folder: Path | None = None,
) -> Path:
    """Create ``notebooks/<series>-<period>.ipynb`` from the series template; never overwrite."""
    template = series_registry.get(slug(series))
    period = str(periods.parse(period))
    folder = folder or config.project_root() / "notebooks"
    target = inside(folder, f"{slug(series)}-{slug(period)}.ipynb")
    if target.exists():
        raise ConfigError(f"{target} exists already — open it, or pass another --period")
    # Quarto's keys at the top (Quarto renders it the same way: no code, 表/图 in Chinese);
    # statlib's own keys under ``statlib:`` (statlib.render.frontmatter reads both)
    front = {
        "title": title or f"{periods.label(period, with_year=True)}{template.title}",
        "lang": "zh",
        "format": {"html": "default", "pdf": "default", "docx": "default"},
        "execute": {"echo": False, "warning": False},
        "crossref": {"fig-prefix": "图", "tbl-prefix": "表", "title-delim": " "},
        "statlib": {
            "series": template.name,
            "unit": template.unit,
            "edition": template.default_edition,
        },
    }
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    values = {"period": period, "region": region, "edition": template.default_edition}
    # repr, names and types checked, the source read back: a value never becomes code
    params = nbformat.v4.new_code_cell(parameters_source(values))
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_raw_cell(
            "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---"
        ),
        params,
        nbformat.v4.new_code_cell(_SETUP),
    ]
    for section in template.sections:
        if section.indicator:
            heading = "## " + section.heading + "\n\n"
            source = _SECTION.format(heading=heading, indicator=section.indicator)
            nb.cells.append(nbformat.v4.new_code_cell(source))
        else:
            nb.cells.append(nbformat.v4.new_markdown_cell(f"## {section.heading}"))
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    if declared_parameters(target) != values:  # pragma: no cover - parameters_source checks
        target.unlink()
        raise ConfigError(f"{target.name}: the parameters cell does not read back")
    return target


def preview(
    notebook: str | Path,
    *,
    parameters: dict[str, Any] | None = None,
    to: tuple[str, ...] = ("html",),
    out: Path | None = None,
    masthead: dict[str, Any] | None = None,
    self_contained: bool = False,
) -> dict[str, Path]:
    """Execute ``notebook`` with its defaults (or ``parameters``) and render it to ``out``
    (default ``outputs/preview/<stem>/``); returns the files written, executed notebook first.
    ``masthead`` (``issue``, ``supplement``, ``date``) is written into the executed notebook's
    front matter as a build writes it (``batch.jobs.preview_masthead``); ``self_contained``
    embeds the fonts in the HTML page (``statlib.render.render``)."""
    from statlib.batch.kernel import WarmKernel
    from statlib.render import render
    from statlib.render.frontmatter import stamp_notebook

    path = Path(notebook).resolve()
    values = {**declared_parameters(path), **check_parameters(path, parameters or {})}
    out = out or config.path("outputs") / "preview" / slug(path.stem)
    root = fsio.root_of(out)
    out = fsio.mkdir(root, out)  # never through a planted link (statlib.fsio)
    edition = values.get("edition") if isinstance(values.get("edition"), str) else None
    kernel = WarmKernel(cwd=path.parent, edition=edition)  # pinned as the build pins its own
    try:
        executed_nb, _, _ = kernel.run(path, values)
    finally:
        kernel.shutdown()
    if masthead:
        stamp_notebook(executed_nb, masthead, path.name)
    executed = fsio.write_text(root, out / f"{slug(path.stem)}.ipynb", nbformat.writes(executed_nb))
    return {
        "ipynb": executed,
        **render(executed, to=list(to), edition=edition, out=out, self_contained=self_contained),
    }
