"""A lone suppressed county is not recoverable from the published city total (secondary
suppression along the hierarchy in the public county tables of the yearbook)."""

from __future__ import annotations

from pathlib import Path

from statlib import open_store, yearbook
from statlib.tables import SUPPRESSED


def test_county_column_never_has_a_lone_hidden_cell(demo_db: Path) -> None:
    with open_store(str(demo_db)) as store:
        kids = [c.code for c in store.children("990200")]
        for year in range(2015, 2024):
            public = yearbook.regions_frame(store, ["ind_va", "gdp"], kids, year, "public")
            internal = yearbook.regions_frame(store, ["ind_va", "gdp"], kids, year, "internal")
            for col in public.columns:
                hidden = [k for k in kids if public.loc[k, col] is SUPPRESSED]
                assert len(hidden) != 1, (year, col, hidden)
                if hidden:  # the extra one is the smallest shown value of that column
                    assert not any(internal.loc[k, col] is SUPPRESSED for k in kids)
        public = yearbook.regions_frame(store, ["ind_va"], kids, 2019, "public")
        assert sum(public.loc[k, "ind_va"] is SUPPRESSED for k in kids) == 2
