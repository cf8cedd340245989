"""Fixtures of the core tests: a small store whose every figure is known by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from statlib.ingest import ingest_file
from statlib.ingest.bundle import load_catalogue
from statlib.store.backends import open_backend
from statlib.store.store import Store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "describe"


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """``tests/fixtures/describe``: 云川市 (990200) among four 盟市 of 塞北自治区, its two
    counties 川东区 (990201) and 北山旗 (990202), a few indicators and 30 observations."""
    backend = open_backend(
        str(tmp_path_factory.mktemp("describe") / "d.duckdb"), read_only=False, create=True
    )
    backend.create_schema()
    s = Store(backend)
    load_catalogue(s, FIXTURE / "regions.csv", "region")
    load_catalogue(s, FIXTURE / "indicators.csv", "indicator")
    ingest_file(s, FIXTURE / "observations.csv")
    yield s
    s.close()
