"""statlib build -p/-r/-f/-y: every job that declares the name, typed per notebook, in the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from statlib.batch import cache
from statlib.batch.jobs import load_release, plan
from statlib.cli import main
from statlib.errors import ConfigError

ROOT = Path(__file__).parents[2]
RELEASE = ROOT / "params" / "2023-11.yaml"


def _options(parameters: dict[str, str]) -> dict[str, dict[str, Any]]:
    jobs = plan(load_release(RELEASE), root=ROOT, parameters=parameters)
    return {j.id: j.parameters for j in jobs}


@pytest.mark.parametrize(
    ("given", "job", "expected"),
    [
        ({"target": "7"}, "decision_reference-990200-internal", {"target": 7}),
        ({"target": "7.5"}, "decision_reference-990200-internal", {"target": 7.5}),
        ({"topic": "2023"}, "decision_reference-990200-internal", {"topic": "2023"}),
        (
            {"driver_category": "retail"},
            "internal_brief-990200-internal",
            {"driver_category": "retail"},
        ),
        (
            {"targets": "{fai_growth: 9}"},
            "internal_brief-990200-internal",
            {"targets": {"fai_growth": 9}},
        ),
    ],
)
def test_p_overrides_the_jobs_that_declare_it(
    given: dict[str, str], job: str, expected: dict[str, Any]
) -> None:
    before, after = _options({}), _options(given)
    assert {k: after[job][k] for k in expected} == expected
    assert {type(after[job][k]) for k in expected} == {type(v) for v in expected.values()}
    changed = sorted(i for i in after if after[i] != before[i])
    assert changed == [job]  # the bulletin jobs declare none of them: untouched
    keys = [
        cache.static_key(ROOT / "notebooks" / "bulletin.ipynb", p, ("html",), "c", "t")
        for p in (before[job], after[job])
    ]
    assert keys[0] != keys[1]  # a build with -p is its own cache entry


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"edition": "public"}, "a job's edition comes from the release file"),
        ({"region": "990202"}, "a job's region comes from the release file"),
        ({"period": "2023-10"}, "--period for the period"),
        ({"nope": "1"}, "no notebook of the release declares a parameter 'nope'"),
        ({"target": "high"}, "parameter target must be a float like its default 6.5"),
    ],
)
def test_p_refuses(given: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _options(given)


def test_build_dry_run_takes_p() -> None:
    args = ["build", "--params", str(RELEASE), "--dry-run", "-p", "target", "7"]
    ok = CliRunner().invoke(main, args)
    assert ok.exit_code == 0, ok.output
    assert "decision_reference-990200-internal" in ok.output
    bad = CliRunner().invoke(main, [*args[:-3], "-p", "edition", "public"])
    assert bad.exit_code == ConfigError.exit_code
    assert "edition comes from the release file" in bad.output
    old = CliRunner().invoke(main, [*args[:-3], "-p", "target=7"])
    assert old.exit_code == 2 and "write -p NAME VALUE" in old.output


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["-p", "topic", "2023"], {"topic": "2023"}),
        (["-r", "topic", "7"], {"topic": "7"}),
        (["-y", "{target: 8, topic: 年度}"], {"target": 8, "topic": "年度"}),
        (["-f", "FILE"], {"target": 7.5, "topic": "来自文件"}),
        (["-f", "FILE", "-p", "target", "9"], {"target": 9, "topic": "来自文件"}),
        (["-y", "{target: 8}", "-r", "topic", "8"], {"target": 8, "topic": "8"}),
    ],
)
def test_build_takes_papermills_options(
    tmp_path: Path, options: list[str], expected: dict[str, Any]
) -> None:
    file = tmp_path / "params.yaml"
    file.write_text("target: 7.5\ntopic: 来自文件\n", encoding="utf-8")
    given = [str(file) if o == "FILE" else o for o in options]
    from statlib._cli_params import values_of

    pairs = [tuple(given[i + 1 : i + 3]) for i, o in enumerate(given) if o == "-p"]
    raws = [tuple(given[i + 1 : i + 3]) for i, o in enumerate(given) if o == "-r"]
    path = next((given[i + 1] for i, o in enumerate(given) if o == "-f"), None)
    text = next((given[i + 1] for i, o in enumerate(given) if o == "-y"), None)
    values, final = values_of(tuple(pairs), tuple(raws), path, text)  # type: ignore[arg-type]
    jobs = plan(load_release(RELEASE), root=ROOT, parameters=values, final=final)
    got = next(j.parameters for j in jobs if j.id == "decision_reference-990200-internal")
    assert {k: got[k] for k in expected} == expected
    assert {k: type(got[k]) for k in expected} == {k: type(v) for k, v in expected.items()}
    run = CliRunner().invoke(main, ["build", "--params", str(RELEASE), "--dry-run", *given])
    assert run.exit_code == 0, run.output


def test_build_f_refuses_a_bad_type_naming_the_parameter(tmp_path: Path) -> None:
    file = tmp_path / "params.yaml"
    file.write_text("target: high\n", encoding="utf-8")
    run = CliRunner().invoke(
        main, ["build", "--params", str(RELEASE), "--dry-run", "-f", str(file)]
    )
    assert run.exit_code == ConfigError.exit_code
    assert "target" in run.output and "float" in run.output
