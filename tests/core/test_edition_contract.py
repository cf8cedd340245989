"""The edition contract (statlib.editions) in real kernels and in the store's own API."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from jupyter_client.manager import KernelManager

import statlib
from statlib import editions
from statlib.errors import EditionError
from statlib.tables import SUPPRESSED

OPEN = "import statlib\n"
SAY = "print('edition', s.edition, s.data_layer)"

# (case, code run in a fresh kernel, STATLIB_EDITION pin, what it prints)
KERNEL_CASES = [
    (
        "no parameter: internal",
        f"{OPEN}s = statlib.open_store()\n{SAY}",
        None,
        "edition internal internal",
    ),
    (
        "the parameter decides",
        f"{OPEN}edition = 'public'\ns = statlib.open_store()\n{SAY}",
        None,
        "edition public public",
    ),
    (
        "masked reads the public layer",
        f"{OPEN}edition = 'masked'\ns = statlib.open_store()\n{SAY}",
        None,
        "edition masked public",
    ),
    (
        "public parameter, internal asked",
        f"{OPEN}edition = 'public'\ns = statlib.open_store(edition='internal')",
        None,
        "EditionError: this run is 'public' (the notebook's edition parameter says so)",
    ),
    (
        "a kernel that served public stays public",
        f"{OPEN}edition = 'public'\ns = statlib.open_store()\nedition = 'internal'\n"
        f"s = statlib.open_store()\n{SAY}",
        None,
        "edition public public",
    ),
    (
        "a kernel that served public never serves internal",
        f"{OPEN}edition = 'public'\ns = statlib.open_store()\ndel edition\n"
        "s = statlib.open_store(edition='internal')",
        None,
        "EditionError: this run is 'public' (this kernel has already served it)",
    ),
    (
        "the batch's pin wins over a looser parameter",
        f"{OPEN}edition = 'internal'\ns = statlib.open_store()\n{SAY}",
        "public",
        "edition public public",
    ),
    (
        "pinned public, internal asked",
        f"{OPEN}s = statlib.open_store(edition='internal')",
        "public",
        "EditionError: this run is 'public' (this kernel is pinned to it",
    ),
    (
        "unit records refused",
        f"{OPEN}edition = 'public'\nstatlib.open_store().units(2023)",
        None,
        "EditionError: units(): unit records are confidential and never reach the public edition",
    ),
    (
        "survey microdata refused",
        f"{OPEN}edition = 'masked'\nstatlib.open_store().survey()",
        None,
        "EditionError: survey(): unit records are confidential and never reach the masked",
    ),
]


def _run_in_kernel(code: str, pin: str | None, db: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != editions.PIN_ENV}
    env["STATLIB_DB"] = str(db)
    if pin is not None:
        env[editions.PIN_ENV] = pin
    km = KernelManager(kernel_name="python3")
    km.start_kernel(env=env)
    kc = km.client()
    kc.start_channels()
    out: list[str] = []

    def hook(msg: dict) -> None:
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "error":
            out.append(f"{content['ename']}: {content['evalue']}")

    try:
        kc.wait_for_ready(timeout=60)
        kc.execute_interactive(code, timeout=120, output_hook=hook)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return "".join(out)


@pytest.mark.parametrize(
    ("case", "code", "pin", "expected"), KERNEL_CASES, ids=[c[0] for c in KERNEL_CASES]
)
def test_the_store_a_kernel_opens(
    case: str, code: str, pin: str | None, expected: str, demo_db: Path
) -> None:
    assert expected in _run_in_kernel(code, pin, demo_db)


def test_outside_a_kernel_the_edition_asked_is_served(demo_db: Path) -> None:
    with (
        statlib.open_store(str(demo_db), edition="masked") as masked,
        statlib.open_store(str(demo_db), edition="public") as public,
        statlib.open_store(str(demo_db), edition="internal") as internal,
    ):
        assert (masked.data_layer, public.data_layer, internal.data_layer) == (
            "public",
            "public",
            "internal",
        )
        args = ("ind_va", "黑河旗", "2023-02", "2023-12")
        shown = internal.series(*args)
        assert shown.notna().all() and len(shown) == 11
        assert masked.series(*args).isna().all() and public.series(*args).isna().all()
        with pytest.raises(EditionError, match=r"store\.unit_cells"):
            masked.units()


def test_unit_aggregates_in_each_edition(demo_db: Path) -> None:
    where = {"category": "industry", "above_scale": True}
    with (
        statlib.open_store(str(demo_db), edition="internal") as internal,
        statlib.open_store(str(demo_db), edition="public") as public,
    ):
        units = internal.units(2023)
        units = units[(units["category"] == "industry") & units["above_scale"]]
        inside = internal.unit_cells("region", ["value_added"], year=2023, where=where)
        outside = public.unit_cells("region", ["value_added"], year=2023, where=where)
        assert public.unit_count(2023, where=where) == len(units) == inside["单位数"].sum()
        assert inside["value_added"].round(6).tolist() == (
            units.groupby("region")["value_added"].sum().round(6).tolist()
        )
        hidden = [r for r, v in outside["value_added"].items() if v is SUPPRESSED]
        assert hidden and all(inside.loc[r, "value_added"] is not SUPPRESSED for r in hidden)
        cells = public.protected_cells(
            "industry_code", "region", ["revenue"], year=2023, where=where
        )
        assert cells.hidden > 0 and cells.protection.result.ok


def test_satisfaction_hides_small_groups_outside_internal(demo_db: Path) -> None:
    with (
        statlib.open_store(str(demo_db), edition="internal") as internal,
        statlib.open_store(str(demo_db), edition="public") as public,
    ):
        survey = internal.surveys().iloc[0]
        name, year = str(survey["survey"]), int(survey["year"])
        assert survey["respondents"] > 0
        inner = internal.satisfaction(name, year, by=["region", "item"])
        outer = public.satisfaction(name, year, by=["region", "item"])
        small = inner["n"] < 3
        assert outer.loc[~small, "rate"].round(9).tolist() == (
            inner.loc[~small, "rate"].round(9).tolist()
        )
        assert outer.loc[small, "rate"].isna().all()


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        (["internal"], "internal"),
        (["internal", "masked"], "masked"),
        (["masked", "public"], "public"),
        ([], "internal"),
    ],
)
def test_strictest(asked: list[str], expected: str) -> None:
    assert editions.strictest(asked) == expected
