"""S3 on a real demo release built by the project (``statlib.batch.build``): every secret of
the store (every period, every year, every spelling) gives 0 hits in the public bytes — the
yearbook's county and province chapters (dense PDF tables: "15 424.5" is two cells), the
黑河旗 bulletin (the county with confidential figures) — and hits in the internal brief."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from statlib import open_store
from statlib.batch import build
from statlib.leaks import release_files, scan, secrets_from_store


@pytest.mark.slow  # the demo release
def test_demo_release_public_clean_internal_brief_not(env: Path, db_copy: Path) -> None:
    release = {
        "period": "2023",
        "publications": [
            {
                "series": "yearbook",
                "notebook": "notebooks/yearbook/0[78]_*.ipynb",
                "editions": ["public"],
                "formats": ["html", "pdf"],
            },
            {
                "series": "bulletin",
                "regions": ["990208"],
                "editions": ["internal", "public"],
                "formats": ["html", "pdf", "docx"],
                "parameters": {"period": "2023-12"},
            },
            {
                "series": "internal_brief",
                "regions": ["990200"],
                "editions": ["internal"],
                "formats": ["html", "pdf", "docx"],
                "parameters": {"period": "2023-11"},
            },
        ],
    }
    path = env / "release.yaml"
    path.write_text(json.dumps(release, ensure_ascii=False), encoding="utf-8")
    report = build(path, workers=2)
    assert report.published and not report.failed, report.failed
    folder = Path(report.release)
    with open_store(str(db_copy)) as store:
        secrets = secrets_from_store(store, "2023")
    public = release_files(folder)
    kinds = {p.suffix for p in public}
    assert {".html", ".pdf", ".docx"} <= kinds and len(public) >= 8
    hits = scan(public, secrets)
    assert hits == [], "\n".join(map(str, hits[:10]))
    brief = sorted((folder / "internal").rglob("internal_brief*"))
    assert brief, sorted(p.name for p in (folder / "internal").rglob("*"))
    internal = scan(brief, secrets)
    print(
        f"\nS3 demo release: {len(secrets)} secrets (every period and year); {len(public)} "
        f"public files ({', '.join(sorted(kinds))}), {len(hits)} hits; internal brief "
        f"{len(brief)} files, {len(internal)} hits"
    )
    assert len(internal) > 0
