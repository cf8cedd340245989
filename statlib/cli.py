"""The ``statlib`` command: a thin click group over the library.

Every command prints a StatlibError as one line and exits with its code; what each code means is
``statlib.errors.EXIT_CODES`` (shown by ``statlib --help``, tabled in README).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

import statlib._startup  # noqa: F401  (first: what a command sets before its imports)
from statlib import __version__, config
from statlib._cli_authoring import new_cmd, preview_cmd, render_cmd
from statlib._cli_common import DATE, db_option, handle_errors, path_option
from statlib._cli_params import ParamsCommand, parameter_options, values_of
from statlib._cli_project import init_cmd, settings_cmd
from statlib._cli_publishing import publish_cmd, registry, site_cmd
from statlib.errors import EXIT_CODES, CheckError
from statlib.periods import PERIOD, Period

_DATE_HELP = (
    "The masthead date, YYYY-MM-DD (default: the issue's planned release in the registry's "
    "calendar, else the day it was first built)."
)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="\b\nExit codes:\n" + "\n".join(f"  {k:>3}  {v}" for k, v in EXIT_CODES.items()),
)
@click.version_option(__version__, prog_name="statlib")
def main() -> None:
    """statlib — the statistical publishing workbench (统计发布工作台)."""


@main.group()
def db() -> None:
    """Build and inspect the statistical database."""


def _progress() -> Callable[[str], None]:
    from tqdm import tqdm

    bar = tqdm(total=None, unit=" file", disable=None, leave=False)

    def step(message: str) -> None:
        bar.set_description(message)
        bar.update(1)

    return step


@db.command("init")
@db_option
@click.option("--force", is_flag=True, help="Rebuild even if the database exists.")
@handle_errors
def db_init(url: str | None, force: bool) -> None:
    """Build the database from the sources in data/ (catalogues, demo city, real NBS files)."""
    from statlib.ingest.bundle import build

    built = build(url, force=force, progress=_progress())
    click.echo(f"built {built}")


@db.command("info")
@db_option
@click.option("--indicators", is_flag=True, help="List the indicators.")
@click.option("--regions", is_flag=True, help="List the regions.")
@click.option("--vintages", is_flag=True, help="List the vintage log.")
@handle_errors
def db_info(url: str | None, indicators: bool, regions: bool, vintages: bool) -> None:
    """Describe the database: counts, and optionally its catalogues and vintages."""
    from statlib.store import open_store

    with open_store(url) as store:
        for key, value in store.info().items():
            click.echo(f"{key:20} {value}")
        if indicators:
            cols = ["code", "name", "unit", "frequency", "kind", "price_basis", "decimals"]
            click.echo(store.indicators()[cols].to_string(index=False))
        if regions:
            cols = ["code", "name", "level", "parent", "peer_group"]
            click.echo(store.regions()[cols].to_string(index=False))
        if vintages:  # published: the date given, else the load date (dated_by says which)
            frame = store.vintages()
            order = store.vintage_order()
            frame["published"] = [order.published[int(i)] for i in frame["id"]]
            cols = ["id", "published", "dated_by", "loaded_at", "source", "reader", "rows_read"]
            click.echo(frame[[*cols, "rows_added"]].to_string(index=False))


@main.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@db_option
@click.option("--reader", default=None, help="Reader name (default: recognised from the file).")
@click.option("--region", default=None, help="Region of a file that names none (default 全国).")
@click.option(
    "--revise",
    is_flag=True,
    help="Load a file again although an earlier vintage has the same content: its "
    "values that differ from the latest become a new vintage (undoes a later "
    "correction).",
)
@click.option(
    "--published",
    type=DATE,
    default=None,
    help="The day the files' figures were published, YYYY-MM-DD (default: the date a file "
    "states in a 发布时间 line, else the load date); queries as_of a day see what was "
    "published by then.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the load reports as JSON.")
@handle_errors
def ingest_cmd(
    files: tuple[str, ...],
    url: str | None,
    reader: str | None,
    region: str | None,
    revise: bool,
    published: dt.datetime | None,
    as_json: bool,
) -> None:
    """Load files into the database, each as one all-or-nothing vintage.

    Readers: long CSV/XLSX, wide tables, panels (one row per region and period, a
    column per indicator with its unit) and NBS data.stats.gov.cn exports. Every file is read
    and checked before the database is opened for writing. A file with the same content as an
    earlier load adds nothing (--revise loads it again); changed values add a new vintage.
    Bounds on a file (bytes, rows, columns, cells, field length, time) are set by the
    STATLIB_INGEST_* variables (statlib.ingest.limits).
    """
    from tqdm import tqdm

    from statlib.ingest import discard, load, read
    from statlib.store import open_store

    batches = []
    try:
        for path in tqdm(files, unit=" file", disable=None, leave=False, desc="read"):
            batches.append(read(path, reader, region=region))
        reports = []
        with open_store(url, read_only=False) as store:
            for batch in tqdm(batches, unit=" file", disable=None, leave=False, desc="load"):
                day = published.date() if published else None
                reports.append(load(store, batch, revise=revise, published=day))
    finally:
        for batch in batches:
            discard(batch)
    for r in reports:
        if as_json:
            click.echo(json.dumps(r.__dict__, ensure_ascii=False))
        else:
            click.echo(f"{r.file}: {r.rows_read} rows read, {r.message}")


@main.command("query")
@click.option("--indicator", "-i", required=True, help="Indicator code or Chinese name.")
@click.option("--region", "-r", required=True, help="Region code or Chinese name.")
@click.option("--start", type=PERIOD, default=None, help="First period (2022-01, 2022Q1, 2022).")
@click.option("--end", type=PERIOD, default=None, help="Last period.")
@click.option("--vintage", default="latest", help="latest, first or a vintage id.")
@click.option(
    "--as-of", "as_of", type=DATE, default=None, help="As it stood that day (YYYY-MM-DD)."
)
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table")
@db_option
@handle_errors
def query_cmd(
    indicator: str,
    region: str,
    start: Period | None,
    end: Period | None,
    vintage: str,
    as_of: dt.datetime | None,
    fmt: str,
    url: str | None,
) -> None:
    """Print one series: `statlib query -i 地区生产总值 -r 内蒙古自治区 --format csv`."""
    from statlib import measures, periods
    from statlib.store import open_store

    with open_store(url) as store:
        ind = store.indicator(indicator)
        reg = store.region(region)
        vint: str | int = vintage if vintage in ("latest", "first") else _int(vintage)
        first, last = (str(p) if p else None for p in (start, end))
        day = as_of.date() if as_of else None
        series = store.series(ind.code, reg.code, first, last, vint, as_of=day)
    if fmt == "csv":
        click.echo("period,value")
        for period, value in series.items():
            click.echo(f"{period},{measures.fmt(value, ind.decimals)}")
        return
    click.echo(f"{ind.name}（{ind.unit}） — {reg.name}  [{ind.code} / {reg.code}]")
    for period, value in series.items():
        cumulative = ind.kind.startswith("cumulative")
        label = periods.label(str(period), cumulative=cumulative, with_year=True)
        click.echo(f"{period:>8}  {label:<14}{measures.fmt(value, ind.decimals):>14}")
    if series.empty:
        click.echo("(no observations)")


@db.command("revisions")
@click.argument("indicator")
@click.argument("region")
@click.option("--start", type=PERIOD, default=None, help="First period.")
@click.option("--end", type=PERIOD, default=None, help="Last period.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table")
@db_option
@handle_errors
def db_revisions(
    indicator: str,
    region: str,
    start: Period | None,
    end: Period | None,
    fmt: str,
    url: str | None,
) -> None:
    """The revisions of one series by period: as first published, latest, their dates, the
    revision and its %: `statlib db revisions 地区生产总值 内蒙古自治区`."""
    from statlib.store import open_store

    with open_store(url) as store:
        ind, reg = store.indicator(indicator), store.region(region)
        table = store.revisions(ind.code, reg.code, *(str(p) if p else None for p in (start, end)))
    if fmt == "csv":
        click.echo(table.to_csv(float_format="%.6g"), nl=False)
        return
    click.echo(f"{ind.name}（{ind.unit}） — {reg.name}: revisions, latest − first")
    shown = table.round({"first": ind.decimals, "latest": ind.decimals, "revision": ind.decimals})
    click.echo(shown.round({"revision_pct": 2}).to_string() if len(table) else "(no observations)")


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise click.BadParameter(
            "use latest, first or a vintage id", param_hint="--vintage"
        ) from None


@main.command("build", cls=ParamsCommand)
@path_option(
    "--params", "release_path", "Release file (default: the latest in params/).", folder=False
)
@click.option(
    "--period",
    type=PERIOD,
    default=None,
    help="The release period; without --params it selects params/PERIOD.yaml. A period other "
    "than the release file's is every job's (params/README.md).",
)
@click.option("--dry-run", is_flag=True, help="List the planned jobs and their periods; run none.")
@parameter_options
@click.option("--only", multiple=True, help="Only this series (repeatable).")
@click.option(
    "-j",
    "--jobs",
    "workers",
    type=int,
    default=None,
    help="Parallel workers (default: the number of cores).",
)
@click.option(
    "--cluster", default=None, metavar="ADDR", help="Run on Dask: 'local' or tcp://HOST:PORT."
)
@click.option("--retry-failed", is_flag=True, help="Rerun only the jobs that failed last time.")
@click.option(
    "--timeout", type=float, default=300.0, show_default=True, help="Seconds a job may run."
)
@click.option(
    "--override",
    "overrides",
    multiple=True,
    metavar="RULE=REASON",
    help="Publish although blocking rule RULE fails, for REASON (recorded).",
)
@click.option("--who", default=None, help="Who overrides (recorded with --override).")
@click.option("--date", "day", type=DATE, default=None, help=_DATE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
@handle_errors
def build_cmd(
    release_path: str | None,
    period: Period | None,
    dry_run: bool,
    params: tuple[tuple[str, str], ...],
    raws: tuple[tuple[str, str], ...],
    params_file: str | None,
    params_yaml: str | None,
    only: tuple[str, ...],
    workers: int | None,
    cluster: str | None,
    retry_failed: bool,
    timeout: float,
    overrides: tuple[str, ...],
    who: str | None,
    day: dt.datetime | None,
    as_json: bool,
) -> None:
    """Build a release: every publication, region and edition, executed, rendered, published.

    With no arguments, the latest demo release. Unchanged jobs come from the cache.
    -p/-r/-f/-y set a parameter in every job whose notebook declares it (not period, year,
    region or edition: those are the release file's); they are part of the cache key.
    """

    from statlib.batch import build, default_release
    from statlib.batch.jobs import load_release, period_override, plan
    from statlib.store import missing_database

    release_file = Path(release_path) if release_path else default_release(period=period)
    release = load_release(release_file)
    values, final = values_of(params, raws, params_file, params_yaml)
    note = period_override(release, period)
    if note:
        click.echo(f"note: {note}", err=True)
    if dry_run:
        for job in plan(release, period=period, only=only, parameters=values, final=final):
            click.echo(f"{job.id:44} {job.period}")
        return
    fresh = missing_database()
    if fresh is not None:  # a fresh checkout: opening a store never builds one, this does
        from statlib.ingest import bundle

        click.echo(f"creating the database {fresh} from the bundled demo data", err=True)
        bundle.build(str(fresh))
    bar: list[Any] = []

    def planned(jobs: list[Any], todo: list[Any]) -> None:
        if not as_json:
            click.echo(f"{len(jobs)} jobs: {len(jobs) - len(todo)} cached, {len(todo)} to run")
            click.echo(
                "  a job is cached when its notebook, parameters, 期号 and date, formats, "
                "statlib's code and templates, the engines' versions and the vintages of the "
                "data it read are unchanged, and its published files are intact"
            )
        if todo:  # a build with nothing to run draws no bar (nor imports tqdm)
            from tqdm import tqdm

            bar.append(tqdm(total=len(todo), unit=" job", disable=as_json, leave=False))

    def done(job: Any, result: Any) -> None:
        bar[0].update(1)
        if not as_json:
            state = "ok" if result.ok else "FAILED"
            secs = result.seconds.get("total", 0.0)
            bar[0].write(f"  {state:6} {job.id:44} {secs:5.1f} s")

    reasons = []
    for item in overrides:
        rule, sep, reason = item.partition("=")
        if not sep or not reason.strip() or not who:
            raise click.BadParameter(
                "write --override RULE='reason' and --who NAME", param_hint="--override"
            )
        reasons.append((rule.strip(), reason.strip(), who))
    report = build(
        release_file,
        period=period,
        only=only,
        workers=workers,
        cluster=cluster,
        retry_failed=retry_failed,
        timeout=timeout,
        on_done=done,
        on_plan=planned,
        overrides=reasons,
        date=day.date() if day else None,
        parameters=values,
        final=final,
    )
    if bar:
        bar[0].close()
    if as_json:
        click.echo(json.dumps(report.summary(), ensure_ascii=False, indent=2))
    else:
        for note in report.notes:
            click.echo(f"recovered: {note}")
        for f in report.failed:
            click.secho(
                f"FAILED {f['job']}: cell {f['cell']}: {f['error'].splitlines()[0]}\n"
                f"       executed notebook kept in {f['notebook']}",
                fg="red",
                err=True,
            )
        where = report.release or "(nothing published)"
        click.echo(
            f"{report.period}: {len(report.built)} built, {len(report.cached)} cached, "
            f"{len(report.failed)} failed in {report.seconds:.2f} s → {where}"
        )
    sys.exit(report.exit_code)


@main.command("check")
@click.option(
    "--period", type=PERIOD, default=None, help="Check only this period (2023-12, 2023Q4, 2023)."
)
@path_option("--rules", "rules_dir", "Folder of YAML rule files (default: rules/ of the project).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@db_option
@handle_errors
def check_cmd(period: Period | None, rules_dir: str | None, as_json: bool, url: str | None) -> None:
    """Confront the database with the validation rules; exit 7 when a blocking rule fails."""
    from statlib.checks import confront, load_rules
    from statlib.store import open_store

    rules = load_rules(rules_dir or config.project_root() / "rules")
    with open_store(url) as store:
        report = confront(store, rules, period=str(period) if period else None)
    click.echo(report.to_json() if as_json else report.summary_text())
    if report.blocking_failures():
        sys.exit(CheckError.exit_code)


@main.command("book")
@click.option(
    "--year",
    type=int,
    default=2023,
    show_default=True,
    help="Data year; the book is 《云川统计年鉴<year+1>》.",
)
@click.option(
    "--edition",
    type=click.Choice(["public", "internal"]),
    default="public",
    show_default=True,
    help="Edition of the book.",
)
@path_option("--out", "out", "Output folder (default: outputs/yearbook/<year+1>/).")
@handle_errors
def book_cmd(year: int, edition: str, out: str | None) -> None:
    """Assemble the yearbook: HTML pages, one PDF, XLSX per table, the archive."""

    from statlib.yearbook.assembly import build_book

    result = build_book(year, edition=edition, out=Path(out) if out else None)
    click.echo(f"{result.title}: {len(result.pages)} chapters, {result.tables} tables")
    for label, path in (
        ("html", result.index),
        ("pdf", result.pdf),
        ("xlsx", result.out / "xlsx"),
        ("zip", result.archive),
    ):
        click.echo(f"{label:5} {path}")
    click.echo("time  " + ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items()))


main.add_command(publish_cmd)
main.add_command(registry)
main.add_command(site_cmd)
main.add_command(settings_cmd)
main.add_command(init_cmd)
main.add_command(new_cmd)
main.add_command(preview_cmd)
main.add_command(render_cmd)


if __name__ == "__main__":
    main()
