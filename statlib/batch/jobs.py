"""Planning: a release file (``params/*.yaml``) becomes jobs — notebook × region × edition.

Release file schema::

    period: "2023-11"                   # the release period (2023-11, 2023Q3, 2023)
    publications:
      - series: bulletin                # notebook notebooks/<series>.ipynb unless `notebook:`
                                        # (a glob such as notebooks/yearbook/*.ipynb: one job each)
        regions: ["990200", "990202"]   # region codes (or names); omit for none
        editions: [internal, public]
        formats: [html, pdf, docx]
        parameters: {}                  # further parameters, checked against the notebook

Every job's parameters are checked against the notebook's parameters cell before any kernel
starts (names declared, identifier syntax, types of the defaults).

A WeChat copy is public by nature (it goes to the public account as it is, with no edition
mark): ``wechat`` is planned only for the editions that the series allows in
``templates/series/<series>.yaml`` (``wechat_editions:``, default ``[public]``); asking for it
with an internal or masked edition is refused at planning, naming the release file, the
publication and the edition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from statlib import config, periods
from statlib import series as series_registry
from statlib.batch.safety import check_parameters, declared_parameters
from statlib.editions import EDITIONS
from statlib.errors import ConfigError
from statlib.fsio import inside, slug

__all__ = ["Job", "load_release", "plan", "wechat_editions"]

FORMATS = ("html", "pdf", "docx", "wechat")


@dataclass(frozen=True)
class Job:
    """One publication to execute and render."""

    series: str
    notebook: Path
    period: str
    region: str | None
    edition: str
    formats: tuple[str, ...]
    parameters: dict[str, Any] = field(hash=False, compare=False)

    @property
    def id(self) -> str:
        parts = [self.series, self.region or "all", self.edition]
        return "-".join(slug(p) for p in parts)

    @property
    def folder(self) -> str:
        """Release-relative folder: editions apart, so public copies never mix with internal."""
        return "/".join([slug(self.edition), slug(self.series), slug(self.region or "all")])


def load_release(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"release file {path} does not exist — see params/README.md") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"release file {path}: {exc}") from None
    if not isinstance(data, dict) or "period" not in data or "publications" not in data:
        raise ConfigError(f"release file {path}: needs `period:` and `publications:`")
    data[_SOURCE] = str(path)  # named in planning errors
    return data


_SOURCE = "__file__"


def wechat_editions(series: str, root: Path) -> tuple[str, ...]:
    """The editions the series may be built as a WeChat copy (``wechat_editions:`` in its
    template, ``statlib.series``); ``[public]`` for a series without a template."""
    found = series_registry.find(slug(series), root)
    return found.wechat_editions if found is not None else series_registry.WECHAT_EDITIONS


def plan(
    release: dict[str, Any],
    *,
    period: str | None = None,
    only: Sequence[str] = (),
    root: Path | None = None,
) -> list[Job]:
    """The jobs of a release, in a stable order (series, region, edition)."""
    root = root or config.project_root()
    period = str(periods.parse(str(period or release["period"])))
    jobs: list[Job] = []
    for i, pub in enumerate(release["publications"], 1):
        if not isinstance(pub, dict) or "series" not in pub:
            raise ConfigError(f"publication {i}: needs `series:`")
        series = str(pub["series"])
        if only and series not in only:
            continue
        pattern = str(pub.get("notebook") or f"notebooks/{slug(series)}.ipynb")
        inside(root, pattern)  # refuses absolute paths and any way out of the project
        notebooks = [inside(root, str(p.relative_to(root))) for p in sorted(root.glob(pattern))]
        if not notebooks:
            raise ConfigError(f"publication {series}: no notebook matches {pattern}")
        editions = [str(e) for e in pub.get("editions", ["internal"])]
        formats = tuple(str(f) for f in pub.get("formats", ["html", "pdf"]))
        for value, allowed, what in ((editions, EDITIONS, "edition"), (formats, FORMATS, "format")):
            bad = [v for v in value if v not in allowed]
            if bad:
                raise ConfigError(
                    f"publication {series}: unknown {what} {bad[0]!r} — use {', '.join(allowed)}"
                )
        if "wechat" in formats:
            allowed_wechat = wechat_editions(series, root)
            for edition in editions:
                if edition not in allowed_wechat:
                    where = release.get(_SOURCE, "the release")
                    raise ConfigError(
                        f"{where}: publication {series} asks for a wechat copy of the {edition} "
                        "edition — a WeChat copy is public by nature (the account publishes it "
                        f"as it is); series {series} allows wechat for "
                        f"{', '.join(allowed_wechat) or 'no edition'}. Build wechat in a "
                        "publication with `editions: [public]`, or set `wechat_editions:` in "
                        f"templates/series/{slug(series)}.yaml"
                    )
        regions = [str(r) for r in pub.get("regions", [])] or [None]
        for notebook in notebooks:
            name = series if len(notebooks) == 1 else f"{series}-{notebook.stem}"
            declared = declared_parameters(notebook)
            for region in regions:
                for edition in editions:
                    values: dict[str, Any] = {}
                    for key, value in (
                        ("period", period),
                        ("year", periods.parse(period).year),
                        ("region", region),
                        ("edition", edition),
                    ):
                        if key in declared and value is not None:
                            values[key] = value
                    values.update(pub.get("parameters") or {})
                    values = check_parameters(notebook, values)
                    jobs.append(Job(name, notebook, period, region, edition, formats, values))
    ids = [j.id for j in jobs]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ConfigError(f"the release plans job {sorted(dup)[0]} twice")
    return jobs
