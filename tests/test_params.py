"""The release definitions in ``params/``: they parse, name what exists and plan (issue 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import statlib
from statlib import periods, publication
from statlib.batch.jobs import load_release, plan
from statlib.render.frontmatter import known_series

ROOT = Path(__file__).resolve().parents[1]
RELEASES = sorted((ROOT / "params").glob("*.yaml"))
MAIN_INDICATOR = {"bulletin": "ind_va_cum_growth", "quarterly_release": "gdp_growth"}


@pytest.fixture(scope="module")
def store():
    return statlib.open_store()


def test_there_is_a_monthly_a_quarterly_and_an_annual_release():
    kinds = {periods.parse(path.stem).freq for path in RELEASES}
    assert kinds == {"M", "Q", "A"}
    assert (ROOT / "params" / "README.md").exists()


@pytest.mark.parametrize("path", RELEASES, ids=lambda p: p.name)
def test_release_file(path: Path, store):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Release definition"), "document the schema at the top"
    data = yaml.safe_load(text)
    assert str(periods.parse(str(data["period"]))) == path.stem, "file named after its period"
    for pub in data["publications"]:
        assert pub["series"] in known_series(), f"unknown series {pub['series']!r}"
        for region in pub.get("regions", []):
            store.region(str(region))  # DataError for an unknown region
        period = str((pub.get("parameters") or {}).get("period", data["period"]))
        periods.parse(period)
    jobs = plan(load_release(path), root=ROOT)  # notebooks exist, parameters are declared
    assert jobs
    for job in jobs:
        assert job.notebook.exists()
        if job.series not in MAIN_INDICATOR:
            continue
        p = periods.parse(job.parameters["period"])
        # the notebook's own checks: region covered, period within the data, edition known
        publication.check_parameters(
            store,
            job.parameters["period"],
            job.parameters["region"],
            job.parameters["edition"],
            freq=p.freq,
            indicator=MAIN_INDICATOR[job.series],
        )


def test_bulletin_release_covers_the_city_and_every_county(store):
    data = yaml.safe_load((ROOT / "params" / "2023-11.yaml").read_text(encoding="utf-8"))
    bulletin = next(p for p in data["publications"] if p["series"] == "bulletin")
    expected = {"990200", *(c.code for c in store.children("990200"))}
    assert set(map(str, bulletin["regions"])) == expected
