"""The leak scan (TRUST.md S3): canaries planted in every kind of output file are all found, with
their place; clean public outputs give 0 hits; a masked edition of a notebook full of canaries
gives 0 hits while its internal edition gives hits; the release gate raises LeakError."""

from __future__ import annotations

import base64
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import nbformat
import pytest
import typst
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName

from statlib import open_store
from statlib.errors import LeakError, RenderError, StatlibError
from statlib.leaks import (
    SURE_DIGITS,
    Hit,
    Scanned,
    Secret,
    assert_clean,
    canaries,
    number_spellings,
    scan,
    secrets_from_store,
)
from statlib.render import render
from statlib.store.store import Store
from statlib.tables import Table, col, save_xlsx

SEED = 20231128
CANARIES = canaries(SEED, 17)
NUMBERS = [c for c in CANARIES if c.source == "canary" and c.value[0].isdigit()]
NAME = CANARIES[-1]
RENDER_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "render" / "bulletin.ipynb"


def grouped(secret: Secret) -> str:
    """``1234567.89`` → ``1,234,567.89``."""
    whole, _, frac = secret.value.partition(".")
    return f"{int(whole):,}.{frac}"


# -- files with one canary in one place each --------------------------------------------------
def html_files(tmp: Path) -> list[tuple[Path, str, Secret]]:
    a, b, c, d = NUMBERS[0:4]
    svg = f'<svg xmlns="http://www.w3.org/2000/svg"><text><tspan>{d.value}</tspan></text></svg>'
    uri = base64.b64encode(svg.encode()).decode()
    page = (
        f"<html><body><table><tr><td>工业</td><td>{grouped(a)}</td></tr></table>"
        f'<p data-value="{b.value}">见表</p><!-- draft: {c.value} -->'
        f'<img src="data:image/svg+xml;base64,{uri}" alt="图"></body></html>'
    )
    path = tmp / "page.html"
    path.write_text(page, encoding="utf-8")
    return [(path, "text", a), (path, "text", b), (path, "text", c), (path, "data-uri 1", d)]


def svg_file(tmp: Path) -> list[tuple[Path, str, Secret]]:
    s = NUMBERS[4]
    whole, _, frac = s.value.partition(".")
    path = tmp / "chart.svg"  # the number split over two tspans, the way charts write labels
    path.write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg"><text><tspan>{whole}</tspan>'
        f"<tspan>.{frac}</tspan></text></svg>",
        encoding="utf-8",
    )
    return [(path, "text", s)]


def pdf_file(tmp: Path) -> list[tuple[Path, str, Secret]]:
    body, title = NUMBERS[5:7]
    source = f'#set document(title: "Report {title.value}")\n= Report\nTotal {grouped(body)}\n'
    path = tmp / "report.pdf"
    path.write_bytes(typst.compile(source.encode()))
    return [(path, "page 1", body), (path, "strings", title)]


def xlsx_file(tmp: Path) -> list[tuple[Path, str, Secret]]:
    visible, hidden, defined, comment, props = NUMBERS[7:12]
    wb = Workbook()
    ws = wb.active
    ws.title = "表1"
    ws["A1"], ws["B1"] = "工业", float(visible.value)
    ws["B2"] = "备注"
    ws["B2"].comment = Comment(f"原始数 {comment.value}", "审核")
    secret_ws = wb.create_sheet("底稿")
    secret_ws["A1"] = float(hidden.value)
    secret_ws.sheet_state = "hidden"
    wb.defined_names["核对值"] = DefinedName("核对值", attr_text=defined.value)
    wb.properties.keywords = f"total {props.value}"
    path = tmp / "table.xlsx"
    save_xlsx(wb, path)
    return [
        (path, "xl/worksheets/sheet1.xml", visible),
        (path, "xl/worksheets/sheet2.xml", hidden),
        (path, "xl/workbook.xml", defined),
        (path, "xl/comments", comment),
        (path, "docProps/core.xml", props),
    ]


def docx_file(tmp: Path) -> list[tuple[Path, str, Secret]]:
    body, header = NUMBERS[12:14]
    nb = notebook(f"全市合计{body.value}万元。")
    made = render(nb_path(tmp, nb, "memo"), ["docx"], edition="internal", out=tmp / "docx")
    whole, _, frac = header.value.partition(".")
    header_xml = (
        '<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:p><w:r><w:t>{whole}</w:t></w:r><w:r><w:t>.{frac}</w:t></w:r></w:p></w:hdr>"
    )
    path = tmp / "memo.docx"
    with zipfile.ZipFile(made["docx"]) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        dst.writestr("word/header9.xml", header_xml)
    return [(path, "word/document.xml", body), (path, "word/header9.xml", header)]


def ipynb_file(tmp: Path) -> list[tuple[Path, str, Secret]]:
    s = NUMBERS[14]
    nb = notebook("正文")
    nb.metadata["papermill"] = {"parameters": {"check_total": float(s.value)}}
    path = tmp / "run.ipynb"
    nbformat.write(nb, path)
    return [(path, "text", s)]


def manifest_file(tmp: Path) -> list[tuple[Path, str, Secret]]:
    path = tmp / "manifest.json"  # ASCII-escaped: the name is only there as \\uXXXX escapes
    path.write_text(
        json.dumps({"jobs": {"x": {"parameters": {"owner": NAME.value}}}}), encoding="ascii"
    )
    return [(path, "JSON strings", NAME)]


def csv_file(tmp: Path) -> list[tuple[Path, str, Secret]]:
    s = NUMBERS[15]
    path = tmp / "table.csv"
    path.write_text(f'指标,数值\n工业增加值,"{grouped(s)}"\n', encoding="utf-8")
    return [(path, "text", s)]


PLANTERS: list[Callable[[Path], list[tuple[Path, str, Secret]]]] = [
    html_files,
    svg_file,
    pdf_file,
    xlsx_file,
    docx_file,
    ipynb_file,
    manifest_file,
    csv_file,
]


def notebook(markdown: str, *, html: str = "") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    front = "---\ntitle: 测试简报\nseries: bulletin\nunit: 云川市统计局\nedition: internal\n---"
    nb.cells = [nbformat.v4.new_raw_cell(front), nbformat.v4.new_markdown_cell(markdown)]
    if html:
        code = nbformat.v4.new_code_cell("show()", execution_count=1)
        code.outputs = [
            nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": "table"})
        ]
        nb.cells.append(code)
    return nb


def nb_path(tmp: Path, nb: nbformat.NotebookNode, stem: str) -> Path:
    path = tmp / f"{stem}.ipynb"
    nbformat.write(nb, path)
    return path


def where(hits: list[Hit], path: Path, part: str, secret: Secret) -> bool:
    return any(Path(h.file) == path and part in h.part and h.label == secret.label for h in hits)


# -- tests -----------------------------------------------------------------------------------
def test_spellings() -> None:
    assert number_spellings("1234.56") == {"1234.56", "1234.6", "123456", "12346"}
    assert number_spellings("12345.6") == {"12345.6", "12346", "123456"}
    assert number_spellings("5.57") == set()  # too short to tell from chance
    assert number_spellings("58.3", decimals=2) == {"58.30"}  # 5830: four-digit integer


def test_canaries_found_in_every_kind_of_file(tmp_path: Path) -> None:
    planted = [p for planter in PLANTERS for p in planter(tmp_path)]
    hits = scan([p for p, _, _ in planted], CANARIES)
    missing = [(p.name, part, s.label) for p, part, s in planted if not where(hits, p, part, s)]
    assert missing == []
    kinds = {p.suffix for p, _, _ in planted}
    assert len(kinds) >= 8 and len({s.label for _, _, s in planted}) == len(planted)
    clean = scan(_clean_release(tmp_path / "clean"), CANARIES)
    assert clean == []
    print(
        f"\nS3: {len(planted)} canaries planted in {len(kinds)} file kinds "
        f"({', '.join(sorted(kinds))}), {len(planted) - len(missing)} found; "
        f"clean release {len(clean)} hits"
    )


def executed(notebook: Path, folder: Path) -> Path:
    """A copy of ``notebook`` whose code cells count as run (render refuses unexecuted ones)."""
    nb = nbformat.read(notebook, as_version=4)
    for i, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), 1):
        cell.execution_count = i
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / notebook.name
    nbformat.write(nb, path)
    return path


def _clean_release(folder: Path) -> list[Path]:
    """A small public release: the bulletin fixture rendered public, a table as XLSX and CSV."""
    made = render(
        executed(RENDER_FIXTURE, folder),
        ["html", "pdf", "docx"],
        edition="public",
        out=folder / "public" / "bulletin",
    )
    table = (
        Table("主要经济指标")
        .columns(col("1—11月", 1), col("同比增长(%)", 1))
        .row("规模以上工业增加值", [None, 6.1], unit="亿元")
        .row("社会消费品零售总额", [1234.5, -2.3], unit="亿元")
    )
    (folder / "public" / "table.csv").write_text(table.to_csv(), encoding="utf-8")
    table.to_xlsx(folder / "public" / "table.xlsx")
    (folder / "manifest.json").write_text(json.dumps({"period": "2023-11"}), encoding="utf-8")
    return [*made.values(), folder / "public" / "table.csv", folder / "public" / "table.xlsx"]


def test_masked_edition_hides_what_the_internal_edition_shows(tmp_path: Path) -> None:
    a, b, c = NUMBERS[:3]
    nb = notebook(
        f"全市合计{grouped(a)}万元，龙头企业贡献{b.value}万元。",
        html=f"<table><tr><td>底数</td><td>{c.value}</td></tr></table>",
    )
    note = nbformat.v4.new_markdown_cell(f"龙头企业：{NAME.value}")
    note.metadata["tags"] = ["internal-only"]  # names reach the internal edition only
    nb.cells.append(note)
    path = nb_path(tmp_path, nb, "brief")
    masked = render(path, ["html", "pdf", "docx"], edition="masked", out=tmp_path / "masked")
    internal = render(path, ["html", "pdf", "docx"], edition="internal", out=tmp_path / "int")
    assert scan(masked.values(), CANARIES) == []
    seen = scan(internal.values(), CANARIES)
    for fmt, file in internal.items():
        found = {h.label for h in seen if Path(h.file) == file}
        assert {a.label, NAME.label} <= found, fmt
    assert {a.label, b.label, c.label, NAME.label} <= {h.label for h in seen}


@pytest.fixture()
def store(demo_db: Path) -> Iterator[Store]:
    with open_store(str(demo_db)) as s:
        yield s


def test_store_secrets(store: Store) -> None:
    """Every period's confidential figures and every year's units, whatever the release."""
    window = secrets_from_store(store, "2021-12")
    assert {s.source.partition(":")[0] for s in window} == {"observation", "enterprise"}
    later = secrets_from_store(store, "2023-11")  # the demo's confidential figures end in 2021
    flagged = [s for s in later if s.source.startswith("observation")]
    # the 88 C-flagged 黑河旗 values, and the cells unsafe by the primary rules
    assert len(flagged) >= 88 and len(flagged) == sum(
        s.source.startswith("observation") for s in window
    )
    assert sum(s.near == ("黑河旗",) for s in flagged) >= 88
    old = [s for s in flagged if s.source.rpartition("/")[2][:4] < "2022"]  # before 2022-…
    assert old and all(s.near and s.sure == SURE_DIGITS for s in old)
    years = {
        s.source.partition(":")[2].partition("/")[0]
        for s in later
        if s.source.startswith("enterprise")
    }
    assert years == {str(y) for y in range(2013, 2024)}
    first = store.units(2021).iloc[0]
    assert (
        Secret(first["name"], f"企业名称 {first['unit_id']}", f"enterprise:2021/{first['unit_id']}")
        in window
    )


def test_release_gate(tmp_path: Path, store: Store) -> None:
    release = tmp_path / "release"
    _clean_release(release)
    (release / "internal").mkdir()
    (release / "internal" / "brief.internal.html").write_text(NAME.value, encoding="utf-8")
    assert assert_clean(release, store, extra=CANARIES) == 6  # 5 public files + manifest
    (release / "manifest.json").write_text(json.dumps({"period": "2021-12"}), encoding="utf-8")
    units = store.units(2021)
    unit = units[units["revenue"] > 50_000].iloc[0]
    flagged = store.backend.query(
        "SELECT value FROM observation WHERE flags LIKE '%C%' AND period = '2021-12'"
    )
    leak = (
        f"<p>{unit['name']}：营业收入{unit['revenue']:,.1f}万元</p>"
        f"<td>{float(flagged['value'].iloc[0]):.2f}</td>"
    )
    (release / "public" / "leak.html").write_text(leak, encoding="utf-8")
    (release / "public" / "brief.internal.html").write_text("内部资料", encoding="utf-8")
    with pytest.raises(LeakError) as caught:
        assert_clean(release, store, extra=CANARIES)
    labels = {h.label.partition(" ")[0] for h in caught.value.hits}
    assert {"企业名称", "营业收入", "保密数", "internal"} <= labels
    assert isinstance(caught.value, StatlibError) and caught.value.exit_code == 7
    assert "leak.html" in str(caught.value)


def test_files_scanned_as_jobs_finish(tmp_path: Path, store: Store) -> None:
    """The build scans each public file as its job finishes; the release gate reads again only
    new bytes, and every byte when the secrets changed meanwhile."""
    release = tmp_path / "release"
    files = _clean_release(release)
    scanned = Scanned([*secrets_from_store(store, "2023-11"), *CANARIES])
    assert [scanned.scan(f) for f in files] == [[] for _ in files]
    assert len(scanned) == len(files)
    assert assert_clean(release, store, extra=CANARIES, scanned=scanned) == len(files) + 1
    leaky = files[0]
    leaky.write_text(leaky.read_text("utf-8") + f"<p>{NUMBERS[0].value}</p>", encoding="utf-8")
    with pytest.raises(LeakError, match=leaky.name):  # new bytes: read again
        assert_clean(release, store, extra=CANARIES, scanned=scanned)
    late = Secret("8765.43", "保密数 loaded during the build")
    leaky.write_text(f"<p>{late.value}</p>", encoding="utf-8")
    before = len(scanned)
    assert scanned.scan(leaky) == [] and len(scanned) == before + 1  # clean for these …
    with pytest.raises(LeakError, match=leaky.name):  # … not for the gate's: all read again
        assert_clean(release, store, extra=[*CANARIES, late], scanned=scanned)


def test_unreadable_pdf_is_not_clean(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\nnot really")
    with pytest.raises(RenderError, match=r"PDF could not be read.*render it again"):
        scan([path], CANARIES)


def test_float_noise_and_boundaries(tmp_path: Path) -> None:
    s = Secret("1234.56", "x")
    path = tmp_path / "sheet.xml"
    path.write_text("<v>1234.5599999999999</v><v>91234.567</v>", encoding="utf-8")
    hits = scan([path], [s])
    assert [h.found for h in hits] == ["1234.5599999999999"]


def test_pdf_text_from_a_python_dependency(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PDF text comes from the pypdfium2 wheel, never from a program (poppler's pdftotext may be
    missing): the same answer on every machine. Two table cells side by side ("15" and
    "424.5") are not the grouped number 15 424.5; "15,424.5" is."""
    import subprocess

    from statlib.fonts import font_dir
    from statlib.leaks.layers import pdf_pages

    def no_programs(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"the scan ran a program: {args}")

    monkeypatch.setattr(subprocess, "run", no_programs)
    monkeypatch.setattr(subprocess, "Popen", no_programs)
    source = (
        '#set text(font: "Statlib Sans SC")\n全市地区生产总值 8765432.19 亿元\n\n'
        "#table(columns: 3, [辽宁省], [15], [424.5], [吉林省], [16], [13,942.7])\n"
    )
    pdf = typst.compile(
        source.encode(), format="pdf", font_paths=[str(font_dir())], ignore_system_fonts=True
    )
    text = "\n".join(pdf_pages(pdf))
    assert "8765432.19" in text and "地区生产总值" in text
    path = tmp_path / "table.pdf"
    path.write_bytes(pdf)
    cells, grouped_ = Secret("15424.5", "cells"), Secret("13942.7", "grouped")
    assert {h.label for h in scan([path], [cells, grouped_])} == {"grouped"}
    root = Path(__file__).resolve().parents[2] / "statlib"
    callers = [str(f) for f in root.rglob("*.py") if "pdftotext" in f.read_text("utf-8")]
    assert callers == []
