"""The published site: pages, links, checksums, hostile labels, no internal edition, determinism."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from statlib import open_store, periods, registry
from statlib.batch.publish import publish_release
from statlib.site import build_site, publish

EVIL = '<script>alert("x")</script>恶意指标'
EVIL_ALIAS = '"><img src=x onerror=alert(1)>'
EVIL_REGION = "<svg onload=alert(1)>县"
SECRET = "INTERNAL-ONLY-CANARY-7731"


def _hostile_catalogue(db: Path) -> None:
    with open_store(str(db), read_only=False) as s:
        b = s.backend
        vintage = s.latest_vintage()
        b.execute(
            "INSERT INTO indicator (code, name, unit, frequency, kind, decimals, definition,"
            " source, aliases, topic) VALUES (?, ?, ?, 'A', 'level', 1, ?, ?, ?, ?)",
            (
                "evil",
                EVIL,
                "<b>亿元</b>",
                '<a href="javascript:alert(1)">定义</a>',
                "javascript:alert(1)",
                f"{EVIL_ALIAS}|恶意",
                "<i>专题</i>",
            ),
        )
        b.execute(
            "INSERT INTO region (code, name, parent, level, sort_order) "
            "VALUES ('990299', ?, '990200', 'county', 99)",
            (EVIL_REGION,),
        )
        for region, value in (("990200", 12.5), ("990299", 3.25)):
            for year in (2021, 2022, 2023):
                b.execute(
                    "INSERT INTO observation (indicator, region, period, vintage, value, "
                    "flags) VALUES ('evil', ?, ?, ?, ?, '')",
                    (region, str(year), vintage, value + year - 2021),
                )


def _release(outputs: Path, src: Path) -> None:
    """A built release 2023-11: bulletin internal + public, internal_brief internal."""
    files, jobs = {}, {}
    for series, edition in (
        ("bulletin", "public"),
        ("bulletin", "internal"),
        ("internal_brief", "internal"),
        ("survey_report", "public"),
    ):
        rels = []
        for ext in ("html", "pdf", "docx"):
            p = src / f"{series}-{edition}.{ext}"
            marker = SECRET if edition == "internal" else "公开版"
            p.write_text(f"<p>{series} {edition} {marker}</p>", encoding="utf-8")
            rel = f"{edition}/{series}/990200/{series}.{ext}"
            files[rel], rels = p, [*rels, rel]
        jobs[f"{series}-990200-{edition}"] = {
            "series": series,
            "region": "990200",
            "edition": edition,
            "parameters": {"period": "2023-11"},
            "files": rels,
            "status": "built",
        }
    publish_release(
        outputs,
        "2023-11",
        files,
        {"period": "2023-11", "jobs": jobs, "data_vintage": 1, "code_version": "test"},
    )


@pytest.fixture(scope="module")
def site(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("site")
    db = root / "site.duckdb"
    shutil.copy(demo_db, db)
    _hostile_catalogue(db)
    outputs, src = root / "outputs", root / "src"
    src.mkdir()
    _release(outputs, src)
    with open_store(str(db), read_only=False) as s:
        pub = registry.register(
            s, "bulletin", "2023-11", "public", f"十一月{EVIL}", embargo="2023-12-15T09:30"
        )
        registry.register(s, "bulletin", "2023-11", "internal", "内部版")
        registry.register(s, "bulletin", "2023-12", "public", "十二月", embargo="2024-01-15T09:30")
        early = publish(outputs, s, "2023-11", who="王发", now="2023-12-15T09:00")
        registry.advance(s, pub.key, "reviewed", "张审")
        registry.advance(s, pub.key, "approved", "李签")
        under = publish(outputs, s, "2023-11", who="王发", now="2023-12-15T09:00")
        report = publish(outputs, s, "2023-11", who="王发", now="2023-12-15T09:30")
    return {
        "outputs": outputs,
        "site": outputs / "site",
        "db": db,
        "early": early,
        "under": under,
        "report": report,
    }


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(path: Path) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tags


def _pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "files" not in p.relative_to(site).parts)


def test_publish_refuses_then_publishes(site: dict) -> None:
    assert site["early"].refused == [
        "bulletin 2023-11 (public): bulletin 2023年第1期 (public) is draft, not approved"
    ]
    assert "embargo until 2023-12-15 09:30" in site["under"].refused[0]
    assert site["under"].exit_code == 2 and not site["under"].published
    report = site["report"]
    assert report.published == ["bulletin 2023年第1期 (public)"] and report.exit_code == 0
    assert any("internal_brief" in w and "internal edition" in w for w in report.withheld)
    assert any("survey_report is an internal-only series" in w for w in report.withheld)
    with open_store(str(site["db"])) as s:
        pub = registry.find(s, "bulletin", "2023-11", "public")
        assert pub is not None and pub.status == "published" and pub.updated_by == "王发"


def test_pages_exist(site: dict) -> None:
    root: Path = site["site"]
    assert root.is_symlink()
    for rel in (
        "index.html",
        "calendar.html",
        "data/index.html",
        "data/gdp.html",
        "data/gdp.svg",
        "data/gdp.csv",
        "data/gdp.xlsx",
        "data/search.json",
        "pub/bulletin-2023-01.html",
        "assets/site.css",
        "assets/search.js",
    ):
        assert (root / rel).is_file(), rel
    index = (root / "index.html").read_text(encoding="utf-8")
    assert "《统计资讯》2023年第1期" in index and "2023年1—11月" in index
    calendar = (root / "calendar.html").read_text(encoding="utf-8")
    assert "2024-01-15 09:30" in calendar and "待发布" in calendar and "已发布" in calendar
    gdp = (root / "data/gdp.html").read_text(encoding="utf-8")
    assert "地区生产总值" in gdp and "指标解释" in gdp and "亿元" in gdp
    assert 'name="viewport"' in gdp


def test_every_internal_link_resolves(site: dict) -> None:
    root: Path = site["site"]
    checked = 0
    for page in _pages(root):
        for tag, attrs in _tags(page):
            for name in ("href", "src"):
                target = attrs.get(name)
                if target is None or tag == "meta":
                    continue
                assert not re.match(r"^[a-z]+:|^//", target), f"{page}: external {target}"
                path = (page.parent / target.split("#")[0]).resolve()
                assert path.is_file(), f"{page.relative_to(root)} → {target}"
                assert root.resolve() in path.parents
                checked += 1
    assert checked > 200


def test_checksums_match(site: dict) -> None:
    root: Path = site["site"]
    page = (root / "pub/bulletin-2023-01.html").read_text(encoding="utf-8")
    rows = re.findall(r'href="\.\./(files/[^"]+)".*?<code class="sha">([0-9a-f]{64})</code>', page)
    assert len(rows) == 3
    for rel, digest in rows:
        assert hashlib.sha256((root / rel).read_bytes()).hexdigest() == digest


def test_hostile_labels_are_text(site: dict) -> None:
    root: Path = site["site"]
    active = 0
    for page in _pages(root):
        for tag, attrs in _tags(page):
            if tag == "script" and not attrs.get("src"):
                active += 1
            if tag in ("img", "svg", "iframe", "object") and tag != "img":
                active += 1
            for name, value in attrs.items():
                if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                    active += 1
            if tag == "img" and attrs.get("src") == "x":
                active += 1
    assert active == 0
    evil = (root / "data/evil.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;恶意指标" in evil
    assert "&lt;svg onload=alert(1)&gt;县" in evil
    assert EVIL_ALIAS.replace('"', "&quot;").replace(">", "&gt;").replace("<", "&lt;") in evil
    pub = (root / "pub/bulletin-2023-01.html").read_text(encoding="utf-8")
    assert "十一月&lt;script&gt;" in pub


def test_no_internal_edition_reaches_the_site(site: dict) -> None:
    root: Path = site["site"]
    for path in root.rglob("*"):
        if path.is_file() and path.suffix != ".otf":
            data = path.read_bytes()
            assert SECRET.encode() not in data, path
            assert b"internal_brief" not in data, path
            assert b"survey_report" not in data, path
    assert sorted(p.name for p in (root / "files").rglob("*") if p.is_file()) == [
        "bulletin.docx",
        "bulletin.html",
        "bulletin.pdf",
    ]


def test_confidential_cells_never_as_numbers(site: dict) -> None:
    root: Path = site["site"]
    with open_store(str(site["db"])) as s:
        regions = {r.code: r.name for r in [s.region("990200"), *s.children("990200")]}
        obs = s.observations("ind_va", list(regions))
    secret = obs[obs["flags"].fillna("").str.contains("C")]
    assert len(secret) > 0
    rows = list(csv.reader(io.StringIO((root / "data/ind_va.csv").read_text("utf-8-sig"))))
    header, by_period = rows[0], {r[0]: r for r in rows[1:]}
    assert header[:2] == ["period", "时期"]
    for r in secret.to_dict("records"):
        row, name = by_period[r["period"]], regions[r["region"]]
        assert row[1] == periods.label(r["period"], with_year=True)
        shown = (row[header.index(name)], row[header.index(name + "_标志")])
        assert shown == ("", "…"), (r["period"], r["region"])


@pytest.mark.slow
def test_same_inputs_same_bytes(site: dict) -> None:
    outputs: Path = site["outputs"]
    first = {
        p.relative_to(site["site"]): p.read_bytes() for p in site["site"].rglob("*") if p.is_file()
    }
    with open_store(str(site["db"]), read_only=False) as s:
        build_site(outputs, s)
    second = {
        p.relative_to(outputs / "site"): p.read_bytes()
        for p in (outputs / "site").rglob("*")
        if p.is_file()
    }
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
