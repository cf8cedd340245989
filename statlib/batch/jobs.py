"""Planning: a release file (``params/*.yaml``) becomes jobs — notebook × region × edition.

Release file schema::

    period: "2023-11"                   # the release period (2023-11, 2023Q3, 2023)
    publications:
      - series: bulletin                # notebook notebooks/<series>.ipynb unless `notebook:`
                                        # (a glob such as notebooks/yearbook/*.ipynb: one job each)
        regions: ["990200", "990202"]   # region codes (or names); omit for none
        editions: [internal, public]
        formats: [html, pdf, docx, xlsx, csv]   # xlsx, csv: the 附表 (not in the masked edition)
        period: "2023-09"               # optional: this publication's own period (a pin)
        parameters: {}                  # further parameters, checked against the notebook

The period of a job, lowest to highest precedence:

1. the release file's ``period:`` — the release's period (its folder, cache, rules, leak scan);
2. the publication's pin, ``period:`` on the entry or ``parameters: {period: …}`` (one of the
   two; the annual release runs its bulletin for 2023-12 so);
3. ``statlib build --period P`` when P differs from the release file's period: P is then the
   release's period and every job's, pins included, and the command says so on stderr
   (:func:`period_override`). ``--period P`` alone selects ``params/P.yaml``, whose period is P:
   the pins stand.

Periods are parsed once, here (a bad one is a ConfigError naming the file, the publication and
the accepted forms); a :class:`Job` holds its period once, and the notebook's ``period`` (and
``year``) parameters are derived from it. Every job's parameters are checked against the
notebook's parameters cell before any kernel starts (names declared, identifier syntax, types
of the defaults).

The masthead (CONVENTIONS §9): ``supplement: true`` on an entry makes its issues 增刊 (numbered
apart, and their jobs' ids end in ``-supplement``). :func:`number` gives each job its 第X期 from
the publication registry — found when the issue is registered (a rebuild keeps its number),
else registered then — and its date: ``statlib build --date``, else the issue's planned release
in the calendar, else the day it was first registered. The run writes both into the executed
notebook's front matter (:attr:`Job.masthead`), and they are part of the job's cache key.

A WeChat copy is public by nature (it goes to the public account as it is, with no edition
mark): ``wechat`` is planned only for the editions that the series allows in
``templates/series/<series>.yaml`` (``wechat_editions:``, default ``[public]``); asking for it
with an internal or masked edition is refused at planning, naming the release file, the
publication and the edition.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from statlib import config, periods
from statlib import series as series_registry
from statlib.batch.safety import check_parameters, declared_parameters, typed_values
from statlib.editions import EDITIONS
from statlib.errors import ConfigError, StatlibError
from statlib.fsio import inside, slug

__all__ = [
    "Job",
    "load_release",
    "number",
    "period_override",
    "plan",
    "release_period",
    "wechat_editions",
]

FORMATS = ("html", "pdf", "docx", "wechat", "xlsx", "csv")
#: The 附表 downloads: numbers as numbers, so the masked edition (figures masked) has none.
DOWNLOADS = ("xlsx", "csv")
#: The formats that embed a chart's PNG; a job without one runs with charts as SVG only.
RASTER = frozenset({"docx", "wechat"})


@dataclass(frozen=True)
class Job:
    """One publication to execute and render, for one period (the source of the notebook's
    ``period`` and ``year``)."""

    series: str
    notebook: Path
    period: periods.Period
    region: str | None
    edition: str
    formats: tuple[str, ...]
    #: the entry's further parameters, checked against the notebook; never the period
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    #: the parameters the notebook declares
    declared: frozenset[str] = field(default=frozenset(), hash=False, compare=False)
    #: a 增刊 (numbered apart)
    supplement: bool = False
    #: 第X期 and the masthead date, from the registry (:func:`number`); None before
    issue: int | None = None
    date: dt.date | None = None

    @property
    def masthead(self) -> dict[str, Any]:
        """What the run writes into the executed notebook's front matter (and the cache key
        holds): ``issue``, ``supplement``, ``date``; empty before :func:`number`."""
        values: dict[str, Any] = {}
        if self.issue is not None:
            values["issue"] = self.issue
            values["supplement"] = self.supplement
        if self.date is not None:
            values["date"] = self.date.isoformat()
        return values

    @property
    def parameters(self) -> dict[str, Any]:
        """The notebook's parameters: ``period``, ``year``, ``region`` and ``edition`` of the job
        where the notebook declares them, then the entry's ``options``."""
        values: dict[str, Any] = {}
        for key, value in (
            ("period", str(self.period)),
            ("year", self.period.year),
            ("region", self.region),
            ("edition", self.edition),
        ):
            if key in self.declared and value is not None:
                values[key] = value
        values.update(self.options)
        return values

    @property
    def id(self) -> str:
        parts = [self.series, self.region or "all", self.edition]
        return "-".join(slug(p) for p in parts) + ("-supplement" if self.supplement else "")

    @property
    def folder(self) -> str:
        """Release-relative folder: editions apart, so public copies never mix with internal."""
        return "/".join([slug(self.edition), slug(self.series), slug(self.region or "all")])


def load_release(path: Path) -> dict[str, Any]:
    """The release file, its periods parsed (``period`` and each publication's ``period`` pin
    are Periods; a publication's ``parameters`` no longer hold the period)."""
    try:
        stat = path.stat()
        data = copy.deepcopy(_parsed(path, stat.st_mtime_ns, stat.st_size))
    except FileNotFoundError:
        raise ConfigError(f"release file {path} does not exist — see params/README.md") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"release file {path}: {exc}") from None
    if not isinstance(data, dict) or "period" not in data or "publications" not in data:
        raise ConfigError(f"release file {path}: needs `period:` and `publications:`")
    data[_SOURCE] = str(path)  # named in planning errors
    return _with_periods(data)


@functools.lru_cache(maxsize=16)
def _parsed(path: Path, mtime_ns: int, size: int) -> Any:
    """The YAML of ``path``, parsed once per version of the file: one ``statlib build`` asks
    for its release file five times (issue 17)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


_SOURCE = "__file__"


def _with_periods(release: dict[str, Any]) -> dict[str, Any]:
    """The release with its periods parsed: ``period`` a Period, and each publication's pin
    (``period:`` or ``parameters: {period: …}``) moved to its ``period`` as a Period."""
    where = f"release file {release[_SOURCE]}" if _SOURCE in release else "the release"
    out = {**release, "period": periods.parse(release["period"], where=f"{where}: period")}
    pubs = release["publications"]
    if not isinstance(pubs, list):
        raise ConfigError(f"{where}: `publications:` must be a list of entries")
    out["publications"] = []
    for i, pub in enumerate(pubs, 1):
        if not isinstance(pub, dict) or "series" not in pub:
            raise ConfigError(f"{where}: publication {i}: needs `series:`")
        pub = dict(pub)
        name = f"{where}: publication {pub['series']}"
        options = pub.get("parameters") or {}
        if not isinstance(options, dict):
            raise ConfigError(f"{name}: `parameters:` must be a mapping")
        options = dict(options)
        pins = [
            periods.parse(value, where=f"{name}: {key}")
            for key, value in (
                ("period", pub.get("period")),
                ("parameters.period", options.pop("period", None)),
            )
            if value is not None
        ]
        if len(set(pins)) > 1:
            raise ConfigError(
                f"{name}: `period: {pins[0]}` and `parameters: {{period: {pins[1]}}}` disagree "
                "— pin the publication's period once"
            )
        pub["period"] = pins[0] if pins else None
        pub["parameters"] = options
        out["publications"].append(pub)
    return out


def release_period(
    release: dict[str, Any], period: str | periods.Period | None = None
) -> periods.Period:
    """The release's period: ``period`` (from ``--period``) if given, else the file's."""
    if period is not None:
        return periods.parse(period, where="--period")
    return periods.parse(release["period"], where="the release file's period")


def period_override(release: dict[str, Any], period: str | periods.Period | None) -> str | None:
    """What ``--period`` overrides, in words, when it differs from the release file's period
    (every job then runs for it, pins included); None when it changes nothing."""
    release = _with_periods(release)
    if period is None or release_period(release, period) == release["period"]:
        return None
    p = release_period(release, period)
    where = release.get(_SOURCE, "the release file")
    pins = [
        f"{pub['series']} {pub['period']}"
        for pub in release["publications"]
        if pub["period"] is not None and pub["period"] != p
    ]
    also = f", and the publications' own periods ({', '.join(pins)})" if pins else ""
    return (
        f"--period {p} overrides the period {release['period']} of {where}{also}: every job "
        f"runs for {p}"
    )


def _job_period(
    release: periods.Period, pin: periods.Period | None, cli: periods.Period | None
) -> periods.Period:
    """Release file < publication pin < CLI; a CLI period equal to the file's is no override."""
    if cli is not None and cli != release:
        return cli
    return pin or release


def wechat_editions(series: str, root: Path) -> tuple[str, ...]:
    """The editions the series may be built as a WeChat copy (``wechat_editions:`` in its
    template, ``statlib.series``); ``[public]`` for a series without a template."""
    found = series_registry.find(slug(series), root)
    return found.wechat_editions if found is not None else series_registry.WECHAT_EDITIONS


def plan(
    release: dict[str, Any],
    *,
    period: str | periods.Period | None = None,
    only: Sequence[str] = (),
    root: Path | None = None,
    parameters: dict[str, Any] | None = None,
    final: frozenset[str] = frozenset(),
) -> list[Job]:
    """The jobs of a release, in a stable order (series, region, edition); ``period`` is
    ``--period`` (the precedence of periods is in the module's docstring).

    ``parameters`` (``statlib build -p/-r/-f/-y``) override a parameter in every job whose
    notebook declares it, typed from that notebook's default (``safety.typed_values``) unless
    its name is in ``final`` (``-r`` text, ``-f``/``-y`` values as YAML typed them); the
    job's own parameters (period, year, region, edition) are refused, and so is a name no
    job's notebook declares. They are part of every job's parameters, so of its cache key."""
    root = root or config.project_root()
    given = dict(parameters or {})
    own = sorted(set(given) & {"period", "year", "region", "edition"})
    if own:
        raise ConfigError(
            f"statlib build -p {own[0]}: a job's {own[0]} comes from the release file "
            "(--period for the period; regions: and editions: of a publication), not -p"
        )
    used: set[str] = set()
    release = _with_periods(release)
    cli = release_period(release, period) if period is not None else None
    jobs: list[Job] = []
    for pub in release["publications"]:
        series = str(pub["series"])
        job_period = _job_period(release["period"], pub["period"], cli)
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
        supplement = pub.get("supplement", False)
        if not isinstance(supplement, bool):
            where = release.get(_SOURCE, "the release")
            raise ConfigError(
                f"{where}: publication {series}: `supplement:` must be true or false (a 增刊), "
                f"got {supplement!r}"
            )
        regions: list[str | None] = [str(r) for r in pub.get("regions", [])] or [None]
        for notebook in notebooks:
            name = series if len(notebooks) == 1 else f"{series}-{notebook.stem}"
            declared = frozenset(declared_parameters(notebook))
            mine = {k: v for k, v in given.items() if k in declared}
            used |= set(mine)
            texts = {k: v for k, v in mine.items() if k not in final}
            typed = {**mine, **typed_values(notebook, texts)}
            options = check_parameters(notebook, {**pub["parameters"], **typed})
            for region in regions:
                for edition in editions:
                    job = Job(
                        name,
                        notebook,
                        job_period,
                        region,
                        edition,
                        tuple(f for f in formats if f not in DOWNLOADS)
                        if edition == "masked"
                        else formats,
                        options,
                        declared,
                        supplement,
                    )
                    check_parameters(notebook, job.parameters)
                    jobs.append(job)
    unused = sorted(set(given) - used)
    if unused:
        raise ConfigError(
            f"statlib build -p {unused[0]}: no notebook of the release declares a parameter "
            f"{unused[0]!r}"
        )
    ids = [j.id for j in jobs]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ConfigError(f"the release plans job {sorted(dup)[0]} twice")
    return jobs


def _title(job: Job) -> str:
    """The registry's title of the job's issue: period and the notebook's title."""
    from statlib.render.reader import front_matter

    nb = json.loads(job.notebook.read_text(encoding="utf-8"))
    p = job.period  # a whole year is 2023年, never 2023年1—12月 or 2023年全年 (CONVENTIONS §1)
    when = f"{p.year}年" if periods.whole_year(p) else p.label(with_year=True)
    return when + front_matter(nb, job.notebook.name).title


def _numbered(
    jobs: Sequence[Job], store: Any, date: dt.date | None, who: str, *, write: bool
) -> list[Job] | None:
    """``jobs`` with their numbers and dates; None when one is not registered and ``write``
    is off."""
    from statlib import registry

    out = []
    for job in jobs:
        base = series_registry.base(job.series)
        args = (store, base, str(job.period), job.edition)
        if write:
            pub = registry.ensure(*args, _title(job), supplement=job.supplement, who=who)
        else:
            found = registry.find(*args, supplement=job.supplement)
            if found is None:
                return None
            pub = found
        day = date or registry.issue_date(store, pub)
        out.append(dataclasses.replace(job, issue=pub.issue, date=day))
    return out


def number(
    jobs: Sequence[Job], *, date: dt.date | None = None, who: str = "statlib build"
) -> list[Job]:
    """``jobs`` with their 第X期 and masthead date (see the module docstring); the registry is
    written only when an issue is not registered yet (a rebuild opens the store read-only)."""
    from statlib.store import open_store

    if not jobs:
        return []
    try:
        with open_store() as store:
            found = _numbered(jobs, store, date, who, write=False)
    except StatlibError:  # no registry tables yet in this database: created below
        found = None
    if found is not None:
        return found
    with open_store(read_only=False) as store:
        made = _numbered(jobs, store, date, who, write=True)
    assert made is not None
    return made


def preview_masthead(
    notebook: Path, parameters: dict[str, Any], *, date: dt.date | None = None
) -> tuple[dict[str, Any], bool]:
    """The masthead a build would give ``notebook`` run with ``parameters`` (its ``period``
    and ``edition``), without registering anything: (front-matter values, registered already).
    Empty without a period; a database without a registry gives the first number."""
    from statlib import registry
    from statlib.render.reader import front_matter
    from statlib.store import open_store

    fm = front_matter(json.loads(notebook.read_text(encoding="utf-8")), notebook.name)
    period, edition = parameters.get("period"), parameters.get("edition") or fm.edition
    if period is None and parameters.get("year") is not None:
        period = str(parameters["year"])
    if period is None:
        return {}, False
    p = periods.parse(str(period), where=f"{notebook.name}: parameter period")
    base = series_registry.base(fm.series)
    edition = str(edition or series_registry.get(base).default_edition)
    with open_store() as store:
        try:
            issue, known = registry.expected(store, base, str(p), edition)
            pub = registry.find(store, base, str(p), edition) if known else None
        except StatlibError:  # no registry tables in this database yet
            issue, known, pub = 1, False, None
        day = date or (registry.issue_date(store, pub) if pub is not None else None)
    values: dict[str, Any] = {"issue": issue, "supplement": False}
    values["date"] = (day or registry.now().date()).isoformat()
    return values, known
