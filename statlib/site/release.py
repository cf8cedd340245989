"""``statlib publish``: the approved public editions of a built release, onto the site.

Only the ``public`` edition of a series that may be public reaches the site: internal and
masked editions stay in the release, and so does every edition of an internal-only series (its
template says ``internal_only: true`` or offers no public edition: ``statlib.series``). A
public edition is published only when the registry holds it as approved and its embargo time
has passed; the rest is refused with the reason.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from statlib import periods, registry
from statlib import series as series_registry
from statlib.batch.publish import current_release
from statlib.errors import ConfigError, DataError, InputError
from statlib.fsio import sha256_file, slug
from statlib.store.store import Store

__all__ = ["PublishReport", "publish", "release_groups"]


@dataclass
class PublishReport:
    """What ``publish`` did: published keys, withheld editions, refusals with reasons."""

    period: str
    published: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    site: str = ""
    reconciled: list[str] = field(default_factory=list)  # what a dead run left, put right

    @property
    def exit_code(self) -> int:
        return ConfigError.exit_code if self.refused else 0  # a refusal is a RegistryError


def release_groups(manifest: dict[str, Any]) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """The release's jobs grouped by publication: (series, period, edition) → jobs."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for job_id, job in sorted((manifest.get("jobs") or {}).items()):
        params = job.get("parameters") or {}
        period = str(periods.parse(str(params.get("period") or manifest["period"])))
        groups[(series_registry.base(str(job["series"])), period, str(job["edition"]))].append(
            {**job, "id": job_id}
        )
    return dict(groups)


def publish(
    outputs: Path,
    store: Store,
    period: str,
    *,
    series: str | None = None,
    who: str = "statlib",
    now: datetime | str | None = None,
    city: str = "990200",
) -> PublishReport:
    """Publish the approved public editions of release ``period`` to ``outputs/site``.

    One publication runs at a time (the site lock). A publication killed between recording
    the registry and switching the site leaves the registry ahead of the site: the next run
    finds where they disagree, rebuilds the site from the registry and says so
    (``report.reconciled``) before it publishes anything new."""
    from statlib.site import site_lock

    outputs = Path(outputs)
    period = str(periods.parse(period))
    with site_lock(outputs) as lock:
        report = _publish(outputs, store, period, series=series, who=who, now=now, city=city)
        report.reconciled[:0] = lock.notes
    return report


def _publish(
    outputs: Path,
    store: Store,
    period: str,
    *,
    series: str | None,
    who: str,
    now: datetime | str | None,
    city: str,
) -> PublishReport:
    from statlib.site import build_site, reconcile

    disagree = reconcile(outputs, store)
    if disagree:
        build_site(outputs, store, city=city, held=True)
        rebuilt = reconcile(outputs, store)
        if rebuilt:
            raise DataError(
                "the site and the registry still disagree after the site was rebuilt from "
                "the registry: " + "; ".join(rebuilt) + " — nothing was published; check "
                "outputs/site/ and `statlib registry list`, then run statlib site"
            )
    release = current_release(outputs, period)
    if release is None:
        raise ConfigError(
            f"no built release for {period} in {outputs} — run `statlib build "
            f"--period {period}` first"
        )
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    stamp = registry.local_time(now)
    report = PublishReport(period)
    report.reconciled = [
        f"reconciled: {line}; the site was rebuilt from the registry" for line in disagree
    ]
    pending = []
    groups = release_groups(manifest)
    if series is not None and not any(k[0] == series for k in groups):
        raise ConfigError(
            f"release {period} holds no series {series!r}; it holds "
            f"{', '.join(sorted({k[0] for k in groups}))}"
        )
    for (name, pub_period, edition), jobs in sorted(groups.items()):
        if series is not None and name != series:
            continue
        what = f"{name} {pub_period} ({edition})"
        if edition != "public":
            report.withheld.append(f"{what}: {edition} edition never goes to the site")
            continue
        if series_registry.internal_only(name):
            report.withheld.append(f"{what}: {name} is an internal-only series")
            continue
        pub = registry.find(store, name, pub_period, edition)
        if pub is None:
            report.refused.append(f"{what}: not registered")
        elif pub.status == "published":
            report.withheld.append(f"{what}: already published as {pub.key}")
        elif pub.status != "approved":
            report.refused.append(f"{what}: {pub.key} is {pub.status}, not approved")
        elif pub.embargo is not None and stamp < pub.embargo:
            report.refused.append(
                f"{what}: {pub.key} is under embargo until {pub.embargo:%Y-%m-%d %H:%M}"
            )
        else:
            files = _files(release, manifest, pub, jobs)
            pending.append(
                registry.Publication(
                    **{
                        **pub.__dict__,
                        "files": files,
                        "status": "published",
                        "updated_at": stamp,
                        "updated_by": who,
                    }
                )
            )

    def record() -> None:
        for pub in pending:
            registry.set_files(
                store,
                pub.key,
                pub.files,
                data_vintage=_int(manifest.get("data_vintage")),
                code_version=str(manifest.get("code_version") or ""),
            )
            registry.advance(store, pub.key, "published", who, when=stamp)
            report.published.append(str(pub.key))

    if pending:
        report.site = str(
            build_site(outputs, store, pending=pending, city=city, on_staged=record, held=True)
        )
    return report


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _files(
    release: Path, manifest: dict[str, Any], pub: registry.Publication, jobs: list[dict[str, Any]]
) -> dict[str, Any]:
    """Site path → sha256, bytes, region, and where it came from, checked against the release."""
    no = f"s{pub.issue:02d}" if pub.supplement else f"{pub.issue:02d}"
    folder = f"files/{slug(pub.series)}/{pub.year}-{no}"
    entries = manifest.get("files") or {}
    out: dict[str, Any] = {}
    for job in jobs:
        region = str(job.get("region") or "")
        sub = slug(region or "all")
        if str(job["series"]) != pub.series:  # a chapter of the yearbook: its own folder
            sub = f"{sub}/{slug(str(job['series']))}"
        for rel in sorted(job.get("files") or []):
            if not rel.startswith("public/"):
                raise InputError(
                    "not in the public edition's folder; only public/ files reach the site",
                    file=f"release {manifest['period']}: {rel}",
                    hint="rebuild the release (statlib build --period P)",
                )
            entry = entries.get(rel)
            if entry is None or not (release / rel).is_file():
                raise InputError(
                    "missing from the release",
                    file=f"release {manifest['period']}: {rel}",
                    hint="rebuild the release (statlib build --period P)",
                )
            if sha256_file(release / rel) != entry["sha256"]:
                raise InputError(
                    "does not match the manifest's checksum",
                    file=f"release {manifest['period']}: {rel}",
                    hint="rebuild the release (statlib build --period P)",
                )
            out[f"{folder}/{sub}/{Path(rel).name}"] = {
                "sha256": entry["sha256"],
                "bytes": int(entry["bytes"]),
                "region": region,
                "release": slug(str(manifest["period"])),
                "source": rel,
            }
    if not out:
        raise InputError(
            f"the release holds no files for {pub.key}",
            file=f"release {manifest['period']}",
            hint="build it with this series (statlib build --period P --only SERIES)",
        )
    return out
