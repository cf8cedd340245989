"""The release gate's options (issue 11 item 9): ``manifest=False`` leaves the build's own
manifest out of the scan, and still reads the release's period from it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from statlib import open_store
from statlib.errors import LeakError
from statlib.leaks import assert_clean, canaries
from statlib.store.store import Store

CANARIES = canaries(20231128, 4)


@pytest.fixture()
def store(demo_db: Path) -> Iterator[Store]:
    with open_store(str(demo_db)) as s:
        yield s


def test_manifest_false_is_honoured(tmp_path: Path, store: Store) -> None:
    release = tmp_path / "release"
    (release / "public").mkdir(parents=True)
    (release / "public" / "page.html").write_text("<p>全市合计</p>", encoding="utf-8")
    # a timing in the build's manifest that happens to spell a canary
    manifest = {"period": "2023-11", "jobs": {"x": {"seconds": {"run": CANARIES[0].value}}}}
    (release / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert assert_clean(release, store, extra=CANARIES, manifest=False) == 1
    with pytest.raises(LeakError, match=r"manifest\.json"):
        assert_clean(release, store, extra=CANARIES)  # manifest=True (the default) reads it
