"""Mastheads (CONVENTIONS §9) as a reader sees them on page 1 of every series, in three formats.

Each series of ``templates/series/`` gets a small real notebook whose front matter carries no
number and no date; the build's own path gives them: ``batch.jobs.number`` numbers each job from
the registry of a copy of the demo database (earlier issues registered first, so the numbers
differ per series), the run writes them into the executed notebook's front matter, ``render``
writes HTML, PDF and Word. The tests read page 1 of the PDF (pdftotext), the HTML masthead
element and the Word document's first paragraphs and header: 第X期 with the right number, the
issuing unit, the date 2023年…月…日, the classification exactly once on internal copies and
absent from public ones. The slow test builds the 2023-11 release with ``statlib build --date``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from statlib import open_store, registry
from statlib import series as series_registry
from statlib.batch.cache import static_key
from statlib.batch.jobs import Job, number
from statlib.cli import main
from statlib.periods import parse
from statlib.render import render
from statlib.render.frontmatter import stamp_notebook

PERIOD = "2023-11"
CALENDAR_DAY = dt.date(2023, 12, 15)  # the bulletin's planned release, in the registry
GIVEN_DAY = dt.date(2023, 12, 20)  # every other series: as `statlib build --date 2023-12-20`


PLANNED: list[Job] = []  # the jobs as planned (no number yet), kept by the fixture


def _cases() -> list[tuple[str, str, bool]]:
    """(series, edition, supplement): every series × its internal and public editions, and
    a 增刊 of the bulletin."""
    out = []
    for name in series_registry.names():
        for edition in ("internal", "public"):
            if edition in series_registry.get(name).editions:
                out.append((name, edition, False))
    return [*out, ("bulletin", "public", True)]


CASES = _cases()
SERIES = sorted({c[0] for c in CASES})
# earlier issues of 2023 registered before the build: series i has i of them, so its
# 2023-11 issue is 第(i+1)期 (the numbers come from the registry, not from 1 everywhere)
EARLIER = {name: i for i, name in enumerate(SERIES)}


def _date(series: str, supplement: bool) -> str:
    """The bulletin's issue: the calendar's day; its 增刊 has no planned release, so the day it
    was first registered (today, by the build); the other series: the date given."""
    day = (
        GIVEN_DAY if series != "bulletin" else registry.now().date() if supplement else CALENDAR_DAY
    )
    return f"{day.year}年{day.month}月{day.day}日"


def _expected(series: str, edition: str, supplement: bool) -> dict[str, str | None]:
    s = series_registry.get(series)
    return {
        "issue": "增刊第1期" if supplement else f"第{EARLIER[series] + 1}期",
        "unit": s.unit,
        "date": _date(series, supplement),
        "classification": (s.classification or "内部资料 注意保存")
        if edition == "internal"
        else None,
    }


def _notebook(folder: Path, series: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_raw_cell(f"---\ntitle: 经济运行情况\nseries: {series}\n---"))
    nb.cells.append(
        nbformat.v4.new_markdown_cell("## 一、总体\n\n1—11月，全市规模以上工业增加值增长4.8%。")
    )
    path = folder / f"{series}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def rendered(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """(series, edition, supplement) → the files written, through the build's numbering."""
    work = tmp_path_factory.mktemp("masthead")
    db = work / "copy.duckdb"
    shutil.copy(demo_db, db)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STATLIB_DB", str(db))
        with open_store(read_only=False) as store:
            for name, count in EARLIER.items():
                for month in range(1, count + 1):
                    registry.register(store, name, f"2023-{month:02}", "internal", "往期")
            registry.register(
                store, "bulletin", PERIOD, "public", "统计资讯", embargo="2023-12-15T09:30"
            )
        jobs = [
            Job(
                series,
                _notebook(work, series),
                parse(PERIOD),
                None,
                edition,
                ("html", "pdf", "docx"),
                supplement=supplement,
            )
            for series, edition, supplement in CASES
        ]
        numbered = number([j for j in jobs if j.series == "bulletin"])  # the calendar's date
        numbered += number([j for j in jobs if j.series != "bulletin"], date=GIVEN_DAY)
        PLANNED[:] = jobs
        out = {}
        for job in numbered:
            nb = nbformat.read(job.notebook, as_version=4)
            stamp_notebook(nb, job.masthead, job.notebook.name)  # as batch.run does
            folder = work / job.id
            folder.mkdir()
            executed = folder / job.notebook.name
            nbformat.write(nb, executed)
            made = render(executed, list(job.formats), edition=job.edition, out=folder / "out")
            out[(job.series, job.edition, job.supplement)] = made
        yield out


def _pdf_page1(pdf: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext not installed (apt-get install poppler-utils)")
    text = subprocess.run(
        [tool, "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", "", text)


class Masthead(HTMLParser):
    """The text of each classed element inside ``<header class="masthead…">``."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = 0
        self.open: list[str] = []
        self.texts: dict[str, list[str]] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        if tag == "header" and "masthead" in cls.split():
            self.inside += 1
        if self.inside:
            self.open.append(cls)
            self.texts.setdefault(cls, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if self.inside:
            self.open.pop()
            if tag == "header":
                self.inside -= 1

    def handle_data(self, data: str) -> None:
        for cls in self.open:
            if cls:
                self.texts[cls][-1] += data


@pytest.mark.parametrize(("series", "edition", "supplement"), CASES)
def test_pdf_first_page(rendered: dict, series: str, edition: str, supplement: bool) -> None:
    want = _expected(series, edition, supplement)
    page = _pdf_page1(rendered[(series, edition, supplement)]["pdf"])
    for key in ("issue", "unit", "date"):
        assert want[key] in page, (key, page[:200])
    assert page.count("内部资料注意保存") + page.count("内部参阅") == (
        1 if want["classification"] else 0
    )
    if want["classification"]:
        assert page.startswith(str(want["classification"]).replace(" ", ""))  # top left


@pytest.mark.parametrize(("series", "edition", "supplement"), CASES)
def test_html_masthead(rendered: dict, series: str, edition: str, supplement: bool) -> None:
    want = _expected(series, edition, supplement)
    html = rendered[(series, edition, supplement)]["html"].read_text(encoding="utf-8")
    head = Masthead(html).texts
    assert head["issue"] == [want["issue"]]
    assert head["unit"] == [want["unit"]] and head["date"] == [want["date"]]
    assert head.get("classification", []) == (
        [want["classification"]] if want["classification"] else []
    )
    text = re.sub(r"<[^>]+>", "", html)
    assert text.count("内部资料 注意保存") + text.count("内部参阅") == len(
        head.get("classification", [])
    )


def _paragraphs(xml: str) -> list[str]:
    return [
        "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", p))
        for p in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S)
    ]


@pytest.mark.parametrize(("series", "edition", "supplement"), CASES)
def test_docx_first_paragraphs(rendered: dict, series: str, edition: str, supplement: bool) -> None:
    want = _expected(series, edition, supplement)
    with zipfile.ZipFile(rendered[(series, edition, supplement)]["docx"]) as z:
        names = z.namelist()
        body = z.read("word/document.xml").decode("utf-8")
        headers = [z.read(n).decode("utf-8") for n in names if n.startswith("word/header")]
    first = _paragraphs(body)[:6]
    assert want["issue"] in first
    assert (
        f"{want['unit']}{want['date']}" in first or f"{want['unit']}\u3000{want['date']}" in first
    )
    marks = [c for c in ("内部资料 注意保存", "内部参阅") if c in "".join(first + headers)]
    in_body = sum(p.count(m) for p in _paragraphs(body) for m in marks)
    in_header = sum(h.count(m) for h in headers for m in marks)
    if want["classification"]:
        assert (in_body, in_header, marks) == (0, 1, [want["classification"]])  # once, page 1 too
    else:
        assert (marks, headers) == ([], [])


def test_editions_of_one_issue_share_its_number_and_date(rendered: dict) -> None:
    """Public and internal editions of one issue share its number and date."""
    pages = {
        edition: Masthead(
            rendered[("bulletin", edition, False)]["html"].read_text(encoding="utf-8")
        ).texts
        for edition in ("internal", "public")
    }
    assert pages["internal"]["issue"] == pages["public"]["issue"] == ["第1期"]
    assert pages["internal"]["date"] == pages["public"]["date"] == ["2023年12月15日"]


def test_a_rebuild_keeps_numbers_dates_and_cache_keys(rendered: dict) -> None:
    """Numbering again registers nothing and gives the same masthead, so the same cache key
    (the key holds the masthead: another date is another key)."""

    def keys(jobs: list[Job]) -> list[str]:
        return [
            static_key(j.notebook, {"parameters": j.parameters, "masthead": j.masthead}, [], "", "")
            for j in jobs
        ]

    with open_store() as store:
        before = len(registry.publications(store, year=2023))
    first = number(PLANNED, date=GIVEN_DAY)
    again = number(PLANNED, date=GIVEN_DAY)
    with open_store() as store:
        assert len(registry.publications(store, year=2023)) == before
    assert [j.masthead for j in again] == [j.masthead for j in first]
    assert [j.masthead["issue"] for j in first if j.series == "survey_report"] == [
        EARLIER["survey_report"] + 1
    ] * 2
    assert keys(again) == keys(first)
    later = keys(number(PLANNED, date=GIVEN_DAY + dt.timedelta(days=1)))
    assert all(a != b for a, b in zip(later, keys(first), strict=True))
    assert keys(PLANNED) != keys(first)  # no number before: the key changes once, when given


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "--date", "2023-13-01"], "--date"),
        (["build", "--date", "15.12.2023"], "--date"),
        (["render", "x.ipynb", "--date", "2023-02-30"], "--date"),
    ],
)
def test_a_bad_date_is_refused_naming_the_option(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and message in result.output and "%Y-%m-%d" in result.output


@pytest.mark.slow
def test_build_numbers_and_dates_every_masthead(env: Path) -> None:
    """``statlib build --period 2023-11 --date 2023-12-15``: every red masthead of the release
    says 第1期 and 2023年12月15日; a rebuild reruns nothing and keeps them; another date
    reruns the jobs it changes."""
    runner = CliRunner()
    first = runner.invoke(main, ["build", "--period", PERIOD, "--date", "2023-12-15", "-j", "3"])
    assert first.exit_code == 0, first.output
    release = env / "outputs" / PERIOD
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["jobs"]) == 22
    for job_id, job in manifest["jobs"].items():
        assert job["masthead"] == {"issue": 1, "supplement": False, "date": "2023-12-15"}, job_id
    for rel in (
        "internal/bulletin/990203",
        "public/bulletin/990203",
        "internal/internal_brief/990200",
    ):
        edition = rel.split("/")[0]
        stem = rel.split("/")[1]
        page = _pdf_page1(release / rel / f"{stem}.{edition}.pdf")
        assert "第1期" in page and "2023年12月15日" in page and "云川市统计局" in page
        assert page.count("内部资料注意保存") == (1 if edition == "internal" else 0)
    # a rebuild keeps every number (the cache keys: test_a_rebuild_keeps_…; here statlib's
    # code may change under a long build in a shared tree, and every key with it)
    again = runner.invoke(main, ["build", "--period", PERIOD, "--date", "2023-12-15", "--json"])
    assert again.exit_code == 0, again.output
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    assert [j["masthead"] for j in manifest["jobs"].values()] == [
        {"issue": 1, "supplement": False, "date": "2023-12-15"}
    ] * 22
    moved = runner.invoke(
        main,
        ["build", "--period", PERIOD, "--date", "2023-12-18", "--only", "internal_brief", "--json"],
    )
    assert json.loads(moved.output)["built"] == 1, moved.output
    page = _pdf_page1(release / "internal/internal_brief/990200/internal_brief.internal.pdf")
    assert "第1期" in page and "2023年12月18日" in page


@pytest.mark.parametrize(("series", "edition", "supplement"), CASES[:2])
def test_html_prose_keeps_figures_and_periods_on_one_line(
    rendered: dict, series: str, edition: str, supplement: bool
) -> None:
    html = rendered[(series, edition, supplement)]["html"].read_text(encoding="utf-8")
    main_part = html[html.index("<main>") : html.index("</main>")]
    kept = re.findall(r'<span style="white-space:nowrap">([^<]*)</span>', main_part)
    assert kept == ["1—11月", "4.8%"]
    loose = re.sub(r'<span style="white-space:nowrap">[^<]*</span>|<[^>]+>', "|", main_part)
    assert re.findall(r"\d[\d.]*%|\d+—\d+月", loose) == []
