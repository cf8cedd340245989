"""The release definitions in ``params/``: they parse, name what exists and plan (issue 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import statlib
from statlib import periods, report
from statlib.batch.jobs import load_release, plan
from statlib.series import names as series_names

ROOT = Path(__file__).resolve().parents[2]
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
        assert pub["series"] in series_names(), f"unknown series {pub['series']!r}"
        for region in pub.get("regions", []):
            store.region(str(region))  # DataError for an unknown region
        period = str((pub.get("parameters") or {}).get("period", data["period"]))
        periods.parse(period)
    jobs = plan(load_release(path), root=ROOT)  # notebooks exist, parameters are declared
    assert jobs
    editions_stores: dict = {}
    for job in jobs:
        assert job.notebook.exists()
        if job.series not in MAIN_INDICATOR:
            continue
        p = periods.parse(job.parameters["period"])
        # the notebook's own checks: region covered, period within the data, edition known —
        # with the store of the job's edition, as the notebook opens it
        edition_store = editions_stores.setdefault(
            job.parameters["edition"], statlib.open_store(edition=job.parameters["edition"])
        )
        report.check_parameters(
            edition_store,
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


# ---- WeChat copies are public by nature (issue 11, item 9) ------------------------------------


@pytest.mark.parametrize("path", RELEASES, ids=lambda p: p.name)
def test_no_release_asks_a_wechat_copy_of_an_internal_edition(path: Path):
    for job in plan(load_release(path), root=ROOT):
        if "wechat" in job.formats:
            assert job.edition == "public", job.id


def _wechat_release(tmp_path: Path, editions: list[str]) -> Path:
    release = tmp_path / "2023-11.yaml"
    release.write_text(
        yaml.safe_dump(
            {
                "period": "2023-11",
                "publications": [
                    {
                        "series": "bulletin",
                        "regions": ["990200"],
                        "editions": editions,
                        "formats": ["html", "wechat"],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    return release


@pytest.mark.parametrize("edition", ["internal", "masked"])
def test_wechat_of_an_internal_edition_is_refused_at_planning(tmp_path: Path, edition: str):
    release = _wechat_release(tmp_path, ["public", edition])
    with pytest.raises(statlib.ConfigError) as info:
        plan(load_release(release), root=ROOT)
    message = str(info.value)
    assert str(release) in message and "publication bulletin" in message
    assert f"the {edition} edition" in message and "public by nature" in message
    assert "wechat_editions" in message


def test_public_wechat_is_planned_and_a_series_may_allow_more(tmp_path: Path):
    jobs = plan(load_release(_wechat_release(tmp_path, ["public"])), root=ROOT)
    assert [(j.edition, "wechat" in j.formats) for j in jobs] == [("public", True)]
    root = tmp_path / "project"
    (root / "templates" / "series").mkdir(parents=True)
    (root / "notebooks").mkdir()
    (root / "notebooks" / "bulletin.ipynb").write_bytes(
        (ROOT / "notebooks" / "bulletin.ipynb").read_bytes()
    )
    series = yaml.safe_load((ROOT / "templates/series/bulletin.yaml").read_text(encoding="utf-8"))
    series["wechat_editions"] = ["public", "internal"]
    (root / "templates/series/bulletin.yaml").write_text(
        yaml.safe_dump(series, allow_unicode=True), encoding="utf-8"
    )
    jobs = plan(load_release(_wechat_release(tmp_path, ["internal"])), root=root)
    assert [j.edition for j in jobs] == ["internal"]
    series["wechat_editions"] = "all"
    (root / "templates/series/bulletin.yaml").write_text(
        yaml.safe_dump(series, allow_unicode=True), encoding="utf-8"
    )
    with pytest.raises(statlib.ConfigError, match="wechat_editions must be a list"):
        plan(load_release(_wechat_release(tmp_path, ["internal"])), root=root)


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2023-11", "2023-11.yaml"),
        ("2023年11月", "2023-11.yaml"),
        ("2023q3", "2023Q3.yaml"),
        ("2023", "2023.yaml"),
        ("2023-10", "2023.yaml"),  # no release file of its own: the latest release, for that period
        (None, "2023.yaml"),
    ],
)
def test_period_alone_selects_its_release_file(period: str | None, expected: str):
    from statlib.batch import default_release

    assert default_release(ROOT, period=period).name == expected


# ---- one period per job, and its precedence (issue 13, item 1) --------------------------------


def _release_file(tmp_path: Path, period: object, pins: dict) -> Path:
    entry = {"series": "bulletin", "regions": ["990200"], "editions": ["internal"], **pins}
    path = tmp_path / "release.yaml"
    path.write_text(
        yaml.safe_dump({"period": period, "publications": [entry]}, allow_unicode=True),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("file", "pins", "cli", "job", "release"),
    [
        ("2023", {}, None, "2023", "2023"),  # the release file's period
        ("2023", {"period": "2023-12"}, None, "2023-12", "2023"),  # a pin beats the file
        ("2023", {"parameters": {"period": "2023-12"}}, None, "2023-12", "2023"),
        (2023, {"period": "2023年12月"}, None, "2023-12", "2023"),  # YAML int, Chinese pin
        (
            "2023",
            {"period": "2023-12", "parameters": {"period": "2023-12"}},
            None,
            "2023-12",
            "2023",
        ),
        ("2023", {"period": "2023-12"}, "2023", "2023-12", "2023"),  # --period = file: pins stand
        ("2023", {"period": "2023-12"}, "2023-11", "2023-11", "2023-11"),  # the CLI beats a pin
        ("2023Q3", {"parameters": {"period": "2023-09"}}, "2023q4", "2023Q4", "2023Q4"),
        ("2023-11", {}, "2023年10月", "2023-10", "2023-10"),
    ],
)
def test_period_precedence_file_then_pin_then_cli(
    tmp_path: Path, file: object, pins: dict, cli: str | None, job: str, release: str
) -> None:
    from statlib.batch.jobs import release_period

    loaded = load_release(_release_file(tmp_path, file, pins))
    [planned] = plan(loaded, period=cli, root=ROOT)
    assert isinstance(planned.period, periods.Period)
    assert str(planned.period) == job
    assert planned.parameters["period"] == job  # derived from the job's one period
    assert "period" not in planned.options
    assert str(release_period(loaded, cli)) == release


@pytest.mark.parametrize(
    ("cli", "said"),
    [
        (None, None),
        ("2023", None),  # the file's own period: nothing overridden
        (
            "2023-11",
            "--period 2023-11 overrides the period 2023 of {file}, and the publications' own "
            "periods (bulletin 2023-12): every job runs for 2023-11",
        ),
    ],
)
def test_period_override_says_what_it_overrides(tmp_path: Path, cli: str | None, said) -> None:
    from statlib.batch.jobs import period_override

    path = _release_file(tmp_path, "2023", {"period": "2023-12"})
    expected = said.format(file=path) if said else None
    assert period_override(load_release(path), cli) == expected


@pytest.mark.parametrize(
    ("file", "pins", "cli", "message"),
    [
        ("2023-13", {}, None, "release.yaml: period: period '2023-13': month must be 01…12"),
        ("2023", {"period": "23年"}, None, "publication bulletin: period: unknown period"),
        (
            "2023",
            {"parameters": {"period": "2023/12"}},
            None,
            "publication bulletin: parameters.period: unknown period format '2023/12'",
        ),
        ("2023", {}, "Dec 2023", "--period: unknown period format 'Dec 2023'"),
    ],
)
def test_a_bad_period_names_where_and_the_forms(
    tmp_path: Path, file: str, pins: dict, cli: str | None, message: str
) -> None:
    with pytest.raises(statlib.ConfigError) as info:
        plan(load_release(_release_file(tmp_path, file, pins)), period=cli, root=ROOT)
    assert message in str(info.value)
    assert periods.FORMS in str(info.value)


def test_two_pins_that_disagree_are_refused(tmp_path: Path) -> None:
    pins = {"period": "2023-12", "parameters": {"period": "2023-11"}}
    with pytest.raises(statlib.ConfigError, match="disagree — pin the publication's period once"):
        load_release(_release_file(tmp_path, "2023", pins))


def _build_dry_run(*args: str) -> tuple[dict[str, set[str]], str]:
    from click.testing import CliRunner

    from statlib.cli import main

    result = CliRunner().invoke(main, ["build", *args, "--dry-run"])
    assert result.exit_code == 0, result.output
    by_series: dict[str, set[str]] = {}
    for line in result.stdout.splitlines():
        job, period = line.split()
        by_series.setdefault(job.split("-")[0], set()).add(period)
    return by_series, result.stderr


def test_build_period_alone_builds_what_its_release_file_says() -> None:
    """The defect of issue 13: --period 2023-11 ran the notebooks for 2023.yaml's 2023-12."""
    jobs, said = _build_dry_run("--period", "2023-11")
    assert jobs == {
        "bulletin": {"2023-11"},
        "decision_reference": {"2023-11"},
        "internal_brief": {"2023-11"},
    }
    assert said == ""
    jobs, said = _build_dry_run("--period", "2023")  # the annual release: its pins stand
    assert jobs["bulletin"] == {"2023-12"} and jobs["quarterly_release"] == {"2023Q4"}
    assert jobs["yearbook"] == {"2023"} and said == ""


def test_build_period_against_a_release_file_wins_for_every_job_and_says_so() -> None:
    jobs, said = _build_dry_run(
        "--params", str(ROOT / "params" / "2023.yaml"), "--period", "2023-11"
    )
    assert set().union(*jobs.values()) == {"2023-11"}
    assert "--period 2023-11 overrides the period 2023" in said
    assert "bulletin 2023-12, quarterly_release 2023Q4" in said


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2023/11", "notebook parameter period: unknown period format '2023/11'"),
        ("2023-00", "notebook parameter period: period '2023-00': month must be 01…12"),
    ],
)
def test_the_notebooks_parameters_check_names_a_bad_period(store, period: str, message: str):
    with pytest.raises(statlib.ConfigError) as info:
        report.check_parameters(store, period, "990200", "internal")
    assert message in str(info.value) and periods.FORMS in str(info.value)


@pytest.mark.parametrize(
    ("release", "series", "title"),
    [
        ("2023.yaml", "bulletin", "2023年经济运行情况"),  # 2023-12: the whole year
        ("2023.yaml", "quarterly_release", "2023年经济运行情况"),  # 2023Q4: the whole year
        ("2023-11.yaml", "bulletin", "2023年1—11月经济运行情况"),
        ("2023Q3.yaml", "bulletin", "2023年1—9月经济运行情况"),
    ],
)
def test_registry_title_names_a_whole_year_as_the_year(
    release: str, series: str, title: str
) -> None:
    from statlib.batch.jobs import _title

    job = next(
        j for j in plan(load_release(ROOT / "params" / release), root=ROOT) if j.series == series
    )
    assert _title(job) == title
