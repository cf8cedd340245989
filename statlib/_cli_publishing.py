"""The publishing commands of ``statlib``: ``registry`` (issue numbers, review states, embargo,
calendar), ``publish`` (approved public editions to the site) and ``site`` (rebuild it)."""

from __future__ import annotations

import sys

import click

from statlib import config
from statlib._cli_common import db_option, handle_errors
from statlib.periods import PERIOD, Period

__all__ = ["publish_cmd", "registry", "site_cmd"]


@click.command("publish")
@click.option(
    "--period", type=PERIOD, required=True, help="Release period (2023-11, 2023Q3, 2023)."
)
@click.option("--series", default=None, help="Only this series.")
@click.option("--who", default="statlib", show_default=True, help="Who publishes (recorded).")
@click.option("--now", default=None, metavar="ISO", help="Publication time (default: now).")
@db_option
@handle_errors
def publish_cmd(
    period: Period, series: str | None, who: str, now: str | None, url: str | None
) -> None:
    """Move the approved public editions of a built release to outputs/site/ (atomically).

    Internal and masked editions and internal-only series are withheld; anything not approved
    or still under embargo is refused (exit code 2). Writes the registry: the database must
    not be open elsewhere (DuckDB: one writer alone).
    """
    from statlib.site import publish
    from statlib.store import open_store

    with open_store(url, read_only=False) as store:
        report = publish(
            config.path("outputs"), store, str(period), series=series, who=who, now=now
        )
    for line in report.reconciled:
        click.echo(line)
    for line in report.published:
        click.echo(f"published {line}")
    for line in report.withheld:
        click.echo(f"withheld  {line}")
    for line in report.refused:
        click.secho(f"REFUSED   {line}", fg="red", err=True)
    click.echo(f"site: {report.site or '(unchanged)'}")
    sys.exit(report.exit_code)


@click.group()
def registry() -> None:
    """The publication registry: issue numbers (期号), review states, embargo, calendar."""


@registry.command("add")
@click.argument("series")
@click.option("--period", type=PERIOD, required=True, help="Period of the publication.")
@click.option("--edition", default="public", show_default=True, help="Edition.")
@click.option("--title", required=True, help="Title of the issue.")
@click.option("--supplement", is_flag=True, help="A 增刊 (numbered apart).")
@click.option("--embargo", default=None, metavar="ISO", help="Not published before this time.")
@click.option("--who", default="statlib", show_default=True)
@db_option
@handle_errors
def registry_add(
    series: str,
    period: Period,
    edition: str,
    title: str,
    supplement: bool,
    embargo: str | None,
    who: str,
    url: str | None,
) -> None:
    """Register a publication; prints its key (series year issue edition).

    Writes the registry: the database must not be open in a notebook's kernel or another
    command (DuckDB allows one writer and no reader beside it)."""
    from statlib import registry as reg
    from statlib.store import open_store

    with open_store(url, read_only=False) as store:
        pub = reg.register(
            store,
            series,
            str(period),
            edition,
            title,
            supplement=supplement,
            embargo=embargo,
            who=who,
        )
    click.echo(f"{pub.series} {pub.year} {pub.issue} {pub.edition}  {pub.number}  {pub.status}")


@registry.command("advance")
@click.argument("series")
@click.argument("year", type=int)
@click.argument("issue", type=int)
@click.argument("edition")
@click.argument("to_status", metavar="STATUS")
@click.option("--who", required=True, help="Who makes the move (recorded).")
@click.option("--reason", default="", help="Why (required for a return to draft).")
@click.option("--supplement", is_flag=True, help="The issue is a 增刊.")
@click.option("--now", default=None, metavar="ISO", help="Time of the move (default: now).")
@db_option
@handle_errors
def registry_advance(
    series: str,
    year: int,
    issue: int,
    edition: str,
    to_status: str,
    who: str,
    reason: str,
    supplement: bool,
    now: str | None,
    url: str | None,
) -> None:
    """Move a publication: draft → reviewed → approved → published (or back to draft).

    Writes the registry: the database must not be open elsewhere (DuckDB: one writer alone)."""
    from statlib import registry as reg
    from statlib.store import open_store

    with open_store(url, read_only=False) as store:
        pub = reg.advance(
            store,
            (series, year, issue, edition, supplement),
            to_status,
            who,
            when=now,
            reason=reason,
        )
    click.echo(f"{pub.key}: {pub.status}")


@registry.command("list")
@click.option("--year", type=int, default=None)
@db_option
@handle_errors
def registry_list(year: int | None, url: str | None) -> None:
    """List registered publications with their state (reads only: works while a notebook's
    kernel has the database open)."""
    from statlib import registry as reg
    from statlib.store import open_store

    with open_store(url) as store:
        for pub in reg.publications(store, year=year):
            embargo = f"{pub.embargo:%Y-%m-%d %H:%M}" if pub.embargo else "-"
            click.echo(
                f"{pub.series:20} {pub.year} {pub.number:8} {pub.edition:9} "
                f"{pub.period:8} {pub.status:10} {embargo}  {pub.title}"
            )


@registry.command("calendar")
@click.argument("year", type=int)
@db_option
@handle_errors
def registry_calendar(year: int, url: str | None) -> None:
    """Print the release calendar of YEAR (reads only: works while a notebook's kernel has the
    database open)."""
    from statlib import registry as reg
    from statlib.store import open_store

    with open_store(url) as store:
        frame = reg.calendar(store, year)
    click.echo(frame.to_string(index=False) if not frame.empty else "(nothing registered)")


@click.command("site")
@db_option
@handle_errors
def site_cmd(url: str | None) -> None:
    """Rebuild outputs/site/ (pages, data portal) from the registry and the database.

    Writes files under outputs/ only; the database is opened read-only, so it works while a
    notebook's kernel has it open."""
    from statlib.site import build_site, reconcile
    from statlib.store import open_store

    with open_store(url) as store:
        for line in reconcile(config.path("outputs"), store):  # a dead run's site, put right
            click.echo(f"reconciled: {line}; the site is rebuilt from the registry")
        click.echo(build_site(config.path("outputs"), store))
